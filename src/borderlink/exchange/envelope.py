"""Signed envelopes: a compact JWS (EdDSA, Ed25519) over RFC 8785 canonical JSON.

Everything a node sends another travels signed: records (``borderlink-envelope+jws``), signed
tree heads, "new data" notifications, key rotation statements (``borderlink-key+jws``: a new
key, signed by the key it replaces). The protected header names the signing node (``kid``) and
what the token is (``typ``); the payload is canonical JSON, so the same content always signs the
same bytes. Verification checks, in order: the token's shape, the type, that the sender is a
known partner, the signature, and the timestamps; each failure is an :class:`IntegrityFailure`
saying which. Replays and agreements are checked by the receiving service (they need storage).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import rfc8785

from borderlink.errors import IntegrityFailure
from borderlink.exchange.identity import NodeIdentity, Partner, b64url, b64url_decode
from borderlink.exchange.stix import parse_timestamp, timestamp

RECORD = "borderlink-envelope+jws"
TREE_HEAD = "borderlink-tree-head+jws"
NOTICE = "borderlink-notice+jws"
KEY = "borderlink-key+jws"
UNKNOWN_SENDER = "unknown"  # what a token that names no signer is filed under
MAX_OVERLAP = dt.timedelta(days=90)  # the longest a rotated-away key is accepted for fresh tokens


def canonical(value: Any) -> bytes:
    """RFC 8785 (JCS) canonical JSON bytes.

    For values without floats and with ASCII keys, JCS and ``json.dumps`` with sorted keys,
    compact separators and raw UTF-8 produce the same bytes (same string escapes, same key
    order), so those take the fast path; anything else goes through the ``rfc8785`` package.
    """
    if _plain(value):
        return _SORTED_COMPACT.encode(value).encode("utf-8")
    return rfc8785.dumps(value)


# Stateless once built (``json.dumps`` with options builds one per call, which showed up).
_SORTED_COMPACT = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
)


def _plain(value: Any) -> bool:
    # Iterative, on exact types (JSON parsed or built here has no subclasses): it runs on every
    # log entry and envelope, and the recursive isinstance walk cost more than the dump.
    stack = [value]
    while stack:
        v = stack.pop()
        kind = type(v)
        if kind is str or v is None or kind is bool:
            continue
        if kind is int:
            if not -(2**53) < v < 2**53:  # JCS numbers are IEEE doubles
                return False
        elif kind is dict:
            for k in v:
                if type(k) is not str or not k.isascii():
                    return False
            stack.extend(v.values())
        elif kind is list or kind is tuple:
            stack.extend(v)
        else:
            return _plain_slow(v)
    return True


def _plain_slow(value: Any) -> bool:
    """Subclasses (an enum of str, a dict subclass): the same rules, by isinstance."""
    if isinstance(value, str) or value is None or isinstance(value, bool):
        return True
    if isinstance(value, int):
        return abs(value) < 2**53
    if isinstance(value, dict):
        return all(isinstance(k, str) and k.isascii() and _plain(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return all(_plain(v) for v in value)
    return False


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def sign(identity: NodeIdentity, payload: Mapping[str, Any], *, typ: str) -> str:
    """A compact JWS by ``identity`` over the canonical form of ``payload``."""
    header = b64url(canonical({"alg": "EdDSA", "kid": identity.node_id, "typ": typ}))
    body = b64url(canonical(dict(payload)))
    signing_input = f"{header}.{body}".encode("ascii")
    return f"{header}.{body}.{b64url(identity.sign(signing_input))}"


@dataclass(frozen=True)
class Verified:
    sender: str
    payload: dict[str, Any]


def verify(
    token: str,
    partners: Mapping[str, Partner],
    *,
    typ: str,
    vouched_by: str | None = None,
    headers: dict[str, Any] | None = None,
) -> Verified:
    """Check shape, type, sender and signature of a compact JWS; return who signed what.

    ``vouched_by``: a node that already signed for these exact bytes (a signed page listing
    this token's digest, :mod:`.page`); a token naming that node as its signer is not verified
    again. Every other check still runs.

    ``headers``: the protected headers decoded so far, by their encoded form, for a batch of
    tokens (a page's envelopes all carry the same header: it is decoded once). Only what
    decoded is kept; each token's header is checked as before.
    """
    parts = token.split(".")
    if not token.isascii() or len(parts) != 3 or not all(parts):
        raise IntegrityFailure("malformed envelope: not a compact JWS")
    header = headers.get(parts[0]) if headers is not None else None
    if header is None:
        try:
            header = json.loads(b64url_decode(parts[0]))
        except (ValueError, UnicodeDecodeError) as error:
            raise IntegrityFailure("malformed envelope: unreadable header") from error
        if headers is not None:
            headers[parts[0]] = header
    if not isinstance(header, dict) or header.get("alg") != "EdDSA":
        raise IntegrityFailure("envelope is not signed with EdDSA")
    if header.get("typ") != typ:
        raise IntegrityFailure(f"expected a {typ} token, got {header.get('typ')!r}")
    sender = header.get("kid")
    partner = partners.get(sender) if isinstance(sender, str) else None
    if partner is None:
        raise IntegrityFailure(f"envelope signed by unknown node {sender!r}")
    try:
        payload = json.loads(b64url_decode(parts[1]))
    except (ValueError, UnicodeDecodeError) as error:
        raise IntegrityFailure("malformed envelope: unreadable payload") from error
    if not isinstance(payload, dict):
        raise IntegrityFailure("malformed envelope: the payload is not an object")
    # Which of the sender's keys may have signed it depends on when it says it signed (a key
    # rotation's overlap); the signature then binds that claim.
    if sender != vouched_by:
        partner.verify(
            b64url_decode(parts[2]),
            f"{parts[0]}.{parts[1]}".encode("ascii"),
            signed_at=_signed_at(payload),
        )
    if payload.get("sender") != sender:
        raise IntegrityFailure("envelope payload does not name its signer as sender")
    return Verified(partner.partner_id, payload)


def claimed_sender(token: str) -> str:
    """The node a token's header names as its signer, unverified (``"unknown"`` if none): to
    file a refused token under someone, never to trust it."""
    try:
        header = json.loads(b64url_decode(token.split(".")[0]))
    except (ValueError, UnicodeDecodeError):
        return UNKNOWN_SENDER
    kid = header.get("kid") if isinstance(header, dict) else None
    return kid if isinstance(kid, str) and 0 < len(kid) <= 64 else UNKNOWN_SENDER


def _signed_at(payload: Mapping[str, Any]) -> dt.datetime | None:
    claimed = payload.get("issued_at", payload.get("timestamp"))
    if not isinstance(claimed, str):
        return None
    try:
        return parse_timestamp(claimed)
    except ValueError:
        return None


# --- record envelopes -----------------------------------------------------------------------


@dataclass(frozen=True)
class Envelope:
    """A verified record envelope's contents."""

    sender: str
    recipient: str
    agreement_id: str
    purpose: str
    issued_at: dt.datetime
    nonce: str
    record_id: str
    version: str
    object: dict[str, Any]
    token: str

    @cached_property
    def digest(self) -> str:  # asked for several times per envelope received
        return digest(self.token)


def seal(
    identity: NodeIdentity,
    *,
    recipient: str,
    agreement_id: str,
    purpose: str,
    stix_object: Mapping[str, Any],
    now: dt.datetime,
) -> str:
    """Sign one released STIX object for one partner."""
    payload = {
        "v": 1,
        "sender": identity.node_id,
        "recipient": recipient,
        "agreement_id": agreement_id,
        "purpose": purpose,
        "issued_at": timestamp(now),
        "nonce": uuid.uuid4().hex,
        "record_id": stix_object["id"],
        "version": stix_object["modified"],
        "object": dict(stix_object),
    }
    return sign(identity, payload, typ=RECORD)


def open_envelope(
    token: str,
    partners: Mapping[str, Partner],
    *,
    me: str,
    now: dt.datetime,
    skew: dt.timedelta = dt.timedelta(minutes=5),
    vouched_by: str | None = None,
    headers: dict[str, Any] | None = None,
) -> Envelope:
    """Verify a record envelope addressed to ``me``; :class:`IntegrityFailure` names the fault.

    ``vouched_by``: the sender whose verified page signature lists this token's digest;
    ``headers``: decoded headers shared by a batch (both: :func:`verify`)."""
    verified = verify(token, partners, typ=RECORD, vouched_by=vouched_by, headers=headers)
    p = verified.payload
    try:
        envelope = Envelope(
            sender=verified.sender,
            recipient=str(p["recipient"]),
            agreement_id=str(p["agreement_id"]),
            purpose=str(p["purpose"]),
            issued_at=parse_timestamp(str(p["issued_at"])),
            nonce=str(p["nonce"]),
            record_id=str(p["record_id"]),
            version=str(p["version"]),
            object=dict(p["object"]),
            token=token,
        )
    except (KeyError, TypeError, ValueError) as error:
        raise IntegrityFailure(f"envelope payload incomplete: {error}") from error
    if envelope.recipient != me:
        raise IntegrityFailure(
            f"envelope is addressed to {envelope.recipient!r}, not to this node ({me})"
        )
    if envelope.issued_at > now + skew:
        raise IntegrityFailure(f"envelope issued in the future ({p['issued_at']})")
    obj = envelope.object
    if obj.get("id") != envelope.record_id or obj.get("modified") != envelope.version:
        raise IntegrityFailure("envelope header and object disagree on record id or version")
    return envelope


def check_fresh(
    issued_at: dt.datetime, now: dt.datetime, skew: dt.timedelta = dt.timedelta(minutes=5)
) -> None:
    """For short-lived tokens (notices, signed requests): issued within ``skew`` of now."""
    if abs(now - issued_at) > skew:
        raise IntegrityFailure(f"token issued at {timestamp(issued_at)}: outside the clock window")


# --- key rotation -----------------------------------------------------------------------------


@dataclass(frozen=True)
class KeyRotation:
    """A node's statement: from ``issued_at`` it signs with ``public_key``; ``previous_key``
    (which signed the statement) stays accepted until ``overlap_until``."""

    node_id: str
    public_key: str
    previous_key: str
    issued_at: dt.datetime
    overlap_until: dt.datetime
    token: str


def key_statement(
    identity: NodeIdentity, new_public_key: str, *, now: dt.datetime, overlap: dt.timedelta
) -> str:
    """The rotation statement for ``new_public_key``, signed by ``identity`` (the old key)."""
    payload = {
        "sender": identity.node_id,
        "public_key": new_public_key,
        "previous_key": identity.public_key,
        "issued_at": timestamp(now),
        "overlap_until": timestamp(now + min(overlap, MAX_OVERLAP)),
    }
    return sign(identity, payload, typ=KEY)


def open_key_statement(token: str, partner: Partner) -> KeyRotation:
    """Verify a rotation statement against the partner's *current* key only: rotations chain,
    so a key already rotated away from cannot introduce another."""
    current = Partner(partner.partner_id, partner.name, partner.public_key, partner.base_url)
    p = verify(token, {partner.partner_id: current}, typ=KEY).payload
    try:
        rotation = KeyRotation(
            node_id=str(p["sender"]),
            public_key=str(p["public_key"]),
            previous_key=str(p["previous_key"]),
            issued_at=parse_timestamp(str(p["issued_at"])),
            overlap_until=parse_timestamp(str(p["overlap_until"])),
            token=token,
        )
    except (KeyError, TypeError, ValueError) as error:
        raise IntegrityFailure(f"key statement incomplete: {error}") from error
    if rotation.previous_key != partner.public_key:
        raise IntegrityFailure("key statement does not replace the partner's current key")
    if not dt.timedelta(0) <= rotation.overlap_until - rotation.issued_at <= MAX_OVERLAP:
        raise IntegrityFailure("key statement's overlap is out of bounds")
    return rotation
