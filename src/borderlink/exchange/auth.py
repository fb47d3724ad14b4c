"""Node-to-node request authentication: HTTP Message Signatures (RFC 9421), Ed25519.

Every request one node makes of another is signed (``Signature-Input`` / ``Signature``, label
``borderlink``, tag ``borderlink``) over:

- ``@method`` and ``@target-uri`` (scheme, authority, path and query exactly as sent);
- ``borderlink-recipient``: the node id the request is for (its audience), so a request B
  signed for A is refused by C;
- ``content-digest`` (RFC 9530, SHA-256 of the body, empty bodies included);
- the ``created`` and ``expires`` parameters, and a ``nonce``.

:func:`authenticate` checks all of it against the caller's registered key(s) and the receiving
node's clock, and returns the nonce and its expiry: the receiving service stores the nonce until
then and refuses it a second time (it needs storage; see ``services.exchange.requests``). The
signing and verifying are the ``http-message-signatures`` package's; this module sets the
policy. Pure: the time is handed in.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from http_message_signatures import (
    HTTPMessageSigner,
    HTTPMessageVerifier,
    HTTPSignatureKeyResolver,
    InvalidSignature,
    algorithms,
)
from http_message_signatures.exceptions import HTTPMessageSignaturesException

from borderlink.errors import IntegrityFailure, PermissionDenied
from borderlink.exchange.identity import NodeIdentity, Partner, load_public_key

LABEL = "borderlink"
TAG = "borderlink"
RECIPIENT = "BorderLink-Recipient"
COVERED = ("@method", "@target-uri", "borderlink-recipient", "content-digest")
LIFETIME = dt.timedelta(seconds=60)  # how long a signature is good for, as the signer sets it
MAX_LIFETIME = dt.timedelta(minutes=10)  # the longest accepted: nonces are kept that long


class _Keys(HTTPSignatureKeyResolver):
    def __init__(self, key_id: str, private: Any = None, public: str | None = None) -> None:
        self.key_id, self.private, self.public = key_id, private, public

    def resolve_private_key(self, key_id: str) -> Any:
        return self.private

    def resolve_public_key(self, key_id: str) -> Any:
        if key_id != self.key_id or self.public is None:
            return None
        return load_public_key(self.public)


def sign_request(
    identity: NodeIdentity,
    request: Any,
    *,
    recipient: str,
    body: bytes,
    now: dt.datetime,
    lifetime: dt.timedelta = LIFETIME,
) -> str:
    """Sign ``request`` (``method``, absolute ``url``, mutable ``headers``) in place; its nonce."""
    nonce = uuid.uuid4().hex
    request.headers[RECIPIENT] = recipient
    for name in ("Content-Digest", "Signature", "Signature-Input"):
        if name in request.headers:
            del request.headers[name]
    signer = HTTPMessageSigner(
        signature_algorithm=algorithms.ED25519,
        key_resolver=_Keys(identity.node_id, private=identity.private_key),
    )
    signer.sign(
        request,
        key_id=identity.node_id,
        created=now,
        expires=now + lifetime,
        nonce=nonce,
        label=LABEL,
        tag=TAG,
        covered_component_ids=COVERED[:-1],
        body=body,  # adds Content-Digest and covers it
    )
    return nonce


@dataclass(frozen=True)
class Message:
    """A received request as the verifier reads it: method, the absolute URL, header lines."""

    method: str
    url: str
    headers: Any  # .items() over every field line


@dataclass(frozen=True)
class SignedRequest:
    """Who signed a request, and the nonce to remember until ``expires``."""

    partner: Partner
    nonce: str
    created: dt.datetime
    expires: dt.datetime


class _Verifier(HTTPMessageVerifier):
    """The package's verifier, with the receiving node's clock and window instead of its own."""

    def __init__(self, key_id: str, public: str, now: dt.datetime, skew: dt.timedelta) -> None:
        super().__init__(
            signature_algorithm=algorithms.ED25519, key_resolver=_Keys(key_id, public=public)
        )
        self.now, self.skew = now, skew

    def validate_created_and_expires(self, sig_input: Any, max_age: Any = None) -> None:
        created, expires = _times(sig_input.params)
        if created > self.now + self.skew:
            raise InvalidSignature("signed request created in the future")
        if expires < self.now - self.skew:
            raise InvalidSignature("signed request has expired")


def _times(params: Mapping[str, Any]) -> tuple[dt.datetime, dt.datetime]:
    created, expires = params.get("created"), params.get("expires")
    if type(created) is not int or type(expires) is not int:
        raise InvalidSignature("signed request needs integer created and expires parameters")
    return (
        dt.datetime.fromtimestamp(created, dt.UTC),
        dt.datetime.fromtimestamp(expires, dt.UTC),
    )


def _selected(message: Message) -> tuple[str, dt.datetime, dt.datetime, str]:
    """Read the signature's key id, times and nonce before checking it (to pick the key)."""
    headers = {k.lower(): v for k, v in message.headers.items()}
    if "signature-input" not in headers or "signature" not in headers:
        raise PermissionDenied("node-to-node call without an HTTP message signature")
    try:
        inputs = HTTPMessageVerifier._parse_signature_dictionary(headers["signature-input"])
    except (HTTPMessageSignaturesException, ValueError) as error:
        raise IntegrityFailure("malformed Signature-Input") from error
    entry = inputs.get(LABEL)
    if entry is None:
        raise IntegrityFailure(f"no {LABEL!r} signature on the request")
    params = entry.params
    key_id, nonce = params.get("keyid"), params.get("nonce")
    if not isinstance(key_id, str) or not isinstance(nonce, str) or not 16 <= len(nonce) <= 64:
        raise IntegrityFailure("signed request without a key id or a nonce")
    try:
        created, expires = _times(params)
    except InvalidSignature as error:
        raise IntegrityFailure(str(error)) from error
    if not dt.timedelta(0) < expires - created <= MAX_LIFETIME:
        raise IntegrityFailure("signed request's lifetime is out of bounds")
    return key_id, created, expires, nonce


def authenticate(
    message: Message,
    partners: Mapping[str, Partner],
    *,
    body: bytes,
    me: str,
    now: dt.datetime,
    skew: dt.timedelta,
) -> SignedRequest:
    """The partner that signed this request for ``me``; :class:`PermissionDenied` without a
    signature, :class:`IntegrityFailure` for a bad one. Replays are the caller's to refuse."""
    key_id, created, expires, nonce = _selected(message)
    partner = partners.get(key_id)
    if partner is None:
        raise IntegrityFailure(f"request signed by unknown node {key_id!r}")
    recipient = {k.lower(): v for k, v in message.headers.items()}.get(RECIPIENT.lower())
    if recipient != me:
        raise IntegrityFailure(f"signed request is for {recipient!r}, not for this node ({me})")
    problem = "no key"
    for key in partner.keys_at(created):
        try:
            _Verifier(key_id, key, now, skew).verify(
                message, expect_tag=TAG, require_components=COVERED, body=body
            )
        except (InvalidSignature, HTTPMessageSignaturesException) as error:
            problem = str(error)
            continue
        return SignedRequest(partner, nonce, created, expires)
    raise IntegrityFailure(f"signed request from {key_id!r} does not verify: {problem}")
