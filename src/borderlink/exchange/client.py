"""The client side of node-to-node exchange: pull a partner's TAXII collection, fetch its tree
head, consistency and inclusion proofs and key history, and send it signed "new data" notices.
Every request is signed for that partner (RFC 9421, :mod:`borderlink.exchange.auth`)."""

from __future__ import annotations

import datetime as dt
import json
import ssl
import uuid
from dataclasses import dataclass
from typing import Any

import httpx

from borderlink.errors import (
    OUTCOMES,
    BorderLinkError,
    IntegrityFailure,
    PartnerUnavailable,
)
from borderlink.exchange.auth import sign_request
from borderlink.exchange.envelope import NOTICE, sign
from borderlink.exchange.identity import NodeIdentity, Partner
from borderlink.exchange.stix import stable_uuid, timestamp

TAXII_MEDIA = "application/taxii+json;version=2.1"
API_ROOT = "borderlink"


def tls_context() -> ssl.SSLContext:
    """The TLS context partner calls verify certificates with: httpx's default (certifi's CAs)."""
    return httpx.create_ssl_context()


def outbox_collection(sender: str, recipient: str) -> str:
    """Id of the TAXII collection in which ``sender`` serves what it releases to ``recipient``."""
    return stable_uuid(f"borderlink-collection:{sender}->{recipient}")


def inbox_collection(holder: str, sender: str) -> str:
    """Id of the collection in which ``holder`` shows what it accepted from ``sender``."""
    return stable_uuid(f"borderlink-collection:{sender}=>{holder}")


def notice(identity: NodeIdentity, recipient: str, latest: int, now: dt.datetime) -> str:
    """A signed "new data" notice: the sender's collection for ``recipient`` grew to ``latest``."""
    payload = {
        "sender": identity.node_id,
        "recipient": recipient,
        "latest": latest,
        "issued_at": timestamp(now),
        "nonce": uuid.uuid4().hex,
    }
    return sign(identity, payload, typ=NOTICE)


@dataclass(frozen=True)
class Page:
    envelopes: list[str]
    more: bool
    next: int | None
    after: int = 0  # the cursor it was asked from
    signature: str | None = None  # the page's signature (:mod:`.page`), if the partner signs


class PartnerClient:
    """Signed HTTP calls from this node to one partner."""

    def __init__(
        self,
        identity: NodeIdentity,
        partner: Partner,
        *,
        transport: httpx.BaseTransport | None = None,
        timeout: float = 10.0,
        tls: ssl.SSLContext | None = None,
    ) -> None:
        """``tls``: a TLS context made once and shared (making one per client costs ~35 ms)."""
        self.identity = identity
        self.partner = partner
        self._http = httpx.Client(
            base_url=partner.base_url,
            transport=transport,
            timeout=timeout,
            verify=tls if tls is not None else True,
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> PartnerClient:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def _call(
        self, method: str, path: str, *, params: dict[str, Any] | None = None, body: bytes = b""
    ) -> dict[str, Any]:
        request = self._http.build_request(
            method,
            path,
            params=params,
            content=body or None,
            headers={"Accept": TAXII_MEDIA, "Content-Type": "application/json"},
        )
        sign_request(
            self.identity,
            request,
            recipient=self.partner.partner_id,
            body=body,
            now=dt.datetime.now(dt.UTC),
        )
        try:
            response = self._http.send(request)
        except httpx.HTTPError as error:
            raise PartnerUnavailable(
                f"partner {self.partner.partner_id} at {self.partner.base_url}: {error}"
            ) from error
        if response.status_code >= 400:
            raise _error_from(response, self.partner.partner_id)
        try:
            data = response.json()
        except ValueError as error:
            raise PartnerUnavailable(f"partner {self.partner.partner_id} sent no JSON") from error
        if not isinstance(data, dict):
            raise PartnerUnavailable(f"partner {self.partner.partner_id} sent no JSON object")
        return data

    def objects(self, after: int, limit: int) -> Page:
        """One page of the partner's collection for this node, after sequence ``after``."""
        collection = outbox_collection(self.partner.partner_id, self.identity.node_id)
        data = self._call(
            "GET",
            f"/taxii2/{API_ROOT}/collections/{collection}/objects/",
            # Every version, tombstones included, in release order: what sync must see (a
            # TAXII client gets the latest only by default); the envelopes only (they carry
            # the objects), with the page's signature.
            params={
                "next": str(after),
                "limit": str(limit),
                "match[version]": "all",
                "x_borderlink_view": "envelopes",
            },
        )
        envelopes = data.get("x_borderlink_envelopes", [])
        if not isinstance(envelopes, list) or not all(isinstance(e, str) for e in envelopes):
            raise IntegrityFailure("partner page carries no signed envelopes")
        nxt, signature = data.get("next"), data.get("x_borderlink_page")
        if signature is not None and not isinstance(signature, str):
            raise IntegrityFailure("partner page carries a malformed page signature")
        return Page(envelopes, bool(data.get("more")), int(nxt) if nxt else None, after, signature)

    def tree_head(self) -> str:
        return str(self.head()["token"])

    def head(self) -> dict[str, Any]:
        """The partner's signed tree head (``token``) and its key statements."""
        return self._call("GET", "/api/v1/exchange/tree-head")

    def key_statements(self) -> list[str]:
        """The partner's key rotation statements, oldest first (each signed by the key before)."""
        data = self._call("GET", "/api/v1/exchange/keys")
        statements = data.get("statements", [])
        if not isinstance(statements, list) or not all(isinstance(s, str) for s in statements):
            raise IntegrityFailure("partner sent no key statements")
        return statements

    def inclusion(
        self, *, leaf_index: int | None = None, record_id: str | None = None
    ) -> dict[str, Any]:
        """The partner's inclusion proof(s) of a leaf, or of its entries about a record."""
        if leaf_index is not None:
            return self._call("GET", f"/api/v1/exchange/proofs/leaves/{leaf_index}")
        return self._call("GET", "/api/v1/exchange/proofs", params={"record_id": str(record_id)})

    def consistency(self, first: int, second: int) -> list[str]:
        data = self._call(
            "GET",
            "/api/v1/exchange/consistency",
            params={"first": str(first), "second": str(second)},
        )
        return [str(p) for p in data.get("proof", [])]

    def notify(self, token: str, push: dict[str, Any] | None = None) -> None:
        """Send a signed notice; ``push``: what it carries (the new copies, the signed head and
        its consistency proof: ``services.exchange.push``)."""
        body = {"token": token, **({"push": push} if push is not None else {})}
        self._call("POST", "/api/v1/exchange/notify", body=json.dumps(body).encode())


def _error_from(response: httpx.Response, partner_id: str) -> BorderLinkError:
    """Rebuild the partner's BorderLink error (same code), or say the partner failed."""
    try:
        body = response.json()
    except ValueError:
        body = {}
    if not isinstance(body, dict):
        body = {}
    # A BorderLink error body, or a TAXII error message (what TAXII routes answer).
    code = body.get("error") or body.get("error_code")
    detail = body.get("detail") or body.get("description")
    for klass in OUTCOMES:
        if klass.code == code and klass is not BorderLinkError:
            return klass(f"partner {partner_id}: {detail}")
    return PartnerUnavailable(f"partner {partner_id} answered HTTP {response.status_code}")
