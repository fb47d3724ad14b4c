"""Signed node-to-node requests (RFC 9421): what the signature covers, and what is refused."""

from __future__ import annotations

import datetime as dt

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from borderlink.errors import IntegrityFailure, PermissionDenied
from borderlink.exchange.auth import COVERED, Message, authenticate, sign_request
from borderlink.exchange.identity import NodeIdentity, Partner

NOW = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)
SKEW = dt.timedelta(minutes=5)


@pytest.fixture
def b(nodes: dict[str, NodeIdentity]) -> NodeIdentity:
    return nodes["B"]


@pytest.fixture
def nodes() -> dict[str, NodeIdentity]:
    return {n: NodeIdentity(n, n, Ed25519PrivateKey.generate()) for n in "ABC"}


def _partners(nodes: dict[str, NodeIdentity]) -> dict[str, Partner]:
    return {n: Partner(n, n, i.public_key, f"http://{n}") for n, i in nodes.items()}


def _request(
    signer: NodeIdentity, recipient: str, body: bytes = b"", now: dt.datetime = NOW
) -> httpx.Request:
    request = httpx.Request("POST", "http://a.test/api/v1/exchange/notify?x=1", content=body)
    sign_request(signer, request, recipient=recipient, body=body, now=now)
    return request


def _check(
    request: httpx.Request,
    nodes: dict[str, NodeIdentity],
    *,
    me: str = "A",
    body: bytes | None = None,
    now: dt.datetime = NOW,
) -> Partner:
    message = Message(request.method, str(request.url), request.headers)
    content = request.content if body is None else body
    return authenticate(message, _partners(nodes), body=content, me=me, now=now, skew=SKEW).partner


def test_a_signed_request_names_its_signer_and_covers_what_it_must(
    nodes: dict[str, NodeIdentity], b: NodeIdentity
) -> None:
    request = _request(b, "A", b'{"token": "t"}')
    assert _check(request, nodes).partner_id == "B"
    signature_input = request.headers["Signature-Input"]
    for component in COVERED:
        assert f'"{component}"' in signature_input
    for param in ("created=", "expires=", "nonce=", 'keyid="B"', 'tag="borderlink"'):
        assert param in signature_input
    assert request.headers["Content-Digest"].startswith("sha-256=:")


def test_a_request_signed_for_a_is_refused_by_c(
    nodes: dict[str, NodeIdentity], b: NodeIdentity
) -> None:
    request = _request(b, "A")
    with pytest.raises(IntegrityFailure, match="not for this node"):
        _check(request, nodes, me="C")
    # Nor can the audience be rewritten: the recipient header is signed.
    request.headers["BorderLink-Recipient"] = "C"
    with pytest.raises(IntegrityFailure, match="does not verify"):
        _check(request, nodes, me="C")


def test_tampering_with_body_target_or_method_is_refused(
    nodes: dict[str, NodeIdentity], b: NodeIdentity
) -> None:
    request = _request(b, "A", b'{"latest": 1}')
    with pytest.raises(IntegrityFailure, match="does not verify"):
        _check(request, nodes, body=b'{"latest": 2}')
    moved = _request(b, "A")
    moved.url = httpx.URL("http://a.test/api/v1/exchange/notify?x=2")
    with pytest.raises(IntegrityFailure, match="does not verify"):
        _check(moved, nodes)
    other = _request(b, "A")
    other.method = "GET"
    with pytest.raises(IntegrityFailure, match="does not verify"):
        _check(other, nodes)


def test_stale_future_unsigned_and_unknown_requests_are_refused(
    nodes: dict[str, NodeIdentity], b: NodeIdentity
) -> None:
    with pytest.raises(IntegrityFailure, match="expired"):
        _check(_request(b, "A", now=NOW - dt.timedelta(minutes=10)), nodes)
    with pytest.raises(IntegrityFailure, match="future"):
        _check(_request(b, "A", now=NOW + dt.timedelta(minutes=10)), nodes)
    with pytest.raises(PermissionDenied):
        _check(httpx.Request("GET", "http://a.test/"), nodes)
    known = {n: i for n, i in nodes.items() if n != "B"}
    with pytest.raises(IntegrityFailure, match="unknown node"):
        _check(_request(b, "A"), known)
    impostor = _request(nodes["C"], "A")
    impostor.headers["Signature-Input"] = impostor.headers["Signature-Input"].replace(
        'keyid="C"', 'keyid="B"'
    )
    with pytest.raises(IntegrityFailure, match="does not verify"):
        _check(impostor, nodes)
