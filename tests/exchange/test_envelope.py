from __future__ import annotations

import base64
import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from borderlink.errors import IntegrityFailure
from borderlink.exchange.envelope import (
    NOTICE,
    RECORD,
    check_fresh,
    open_envelope,
    seal,
    sign,
    verify,
)
from borderlink.exchange.identity import NodeIdentity, Partner, b64url, b64url_decode, create_key
from borderlink.exchange.stix import to_stix
from borderlink.model import Alert

NOW = dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC)


@pytest.fixture
def nodes(tmp_path: Path) -> dict[str, NodeIdentity]:
    return {n: NodeIdentity(n, n, create_key(tmp_path / f"{n}.pem")) for n in "ABX"}


def _partners(nodes: dict[str, NodeIdentity], *names: str) -> dict[str, Partner]:
    return {n: Partner(n, n, nodes[n].public_key, f"http://{n}") for n in names}


def _token(nodes: dict[str, NodeIdentity], alert: Alert, recipient: str = "B") -> str:
    return seal(
        nodes["A"],
        recipient=recipient,
        agreement_id="AB-2026",
        purpose="risk-management",
        stix_object=to_stix(alert),
        now=NOW,
    )


def test_sealed_envelope_opens_for_its_recipient(
    nodes: dict[str, NodeIdentity], alert: Alert
) -> None:
    env = open_envelope(_token(nodes, alert), _partners(nodes, "A"), me="B", now=NOW)
    assert (env.sender, env.recipient, env.agreement_id) == ("A", "B", "AB-2026")
    assert env.object == to_stix(alert)
    assert len(env.digest) == 64


def test_flipped_byte_is_refused(nodes: dict[str, NodeIdentity], alert: Alert) -> None:
    head, body, sig = _token(nodes, alert).split(".")
    raw = bytearray(b64url_decode(body))
    raw[raw.index(b"Cigarettes")] ^= 0x01
    with pytest.raises(IntegrityFailure, match="signature does not verify"):
        open_envelope(f"{head}.{b64url(bytes(raw))}.{sig}", _partners(nodes, "A"), me="B", now=NOW)


def test_wrong_key_is_refused(nodes: dict[str, NodeIdentity], alert: Alert) -> None:
    # B believes A's key is X's: what A signs does not verify.
    impostor = {"A": Partner("A", "A", nodes["X"].public_key, "http://A")}
    with pytest.raises(IntegrityFailure, match="signature does not verify"):
        open_envelope(_token(nodes, alert), impostor, me="B", now=NOW)


def test_unknown_sender_and_wrong_recipient_are_refused(
    nodes: dict[str, NodeIdentity], alert: Alert
) -> None:
    with pytest.raises(IntegrityFailure, match="unknown node 'A'"):
        open_envelope(_token(nodes, alert), _partners(nodes, "X"), me="B", now=NOW)
    with pytest.raises(IntegrityFailure, match="addressed to 'C'"):
        open_envelope(_token(nodes, alert, "C"), _partners(nodes, "A"), me="B", now=NOW)


def test_future_envelope_and_wrong_type_are_refused(
    nodes: dict[str, NodeIdentity], alert: Alert
) -> None:
    early = NOW - dt.timedelta(hours=1)
    with pytest.raises(IntegrityFailure, match="future"):
        open_envelope(_token(nodes, alert), _partners(nodes, "A"), me="B", now=early)
    notice = sign(nodes["A"], {"sender": "A"}, typ=NOTICE)
    with pytest.raises(IntegrityFailure, match="expected a"):
        verify(notice, _partners(nodes, "A"), typ=RECORD)


def test_signer_must_be_the_sender_named_inside(nodes: dict[str, NodeIdentity]) -> None:
    forged = sign(nodes["X"], {"sender": "A"}, typ=NOTICE)
    with pytest.raises(IntegrityFailure, match="does not name its signer"):
        verify(forged, _partners(nodes, "A", "X"), typ=NOTICE)


@pytest.mark.parametrize("token", ["", "a.b", "!!.!!.!!", "e30.e30.e30", "é.é.é", "e30.é.e30"])
def test_malformed_tokens_are_refused(nodes: dict[str, NodeIdentity], token: str) -> None:
    with pytest.raises(IntegrityFailure):
        verify(token, _partners(nodes, "A"), typ=RECORD)


def test_freshness_window() -> None:
    check_fresh(NOW, NOW + dt.timedelta(minutes=4))
    with pytest.raises(IntegrityFailure, match="clock window"):
        check_fresh(NOW, NOW + dt.timedelta(minutes=6))


@pytest.mark.parametrize(
    "value",
    [
        {"b": 1, "a": [True, None, "é\u2028\n\x01"], "c": {"z": "", "y": -(2**40)}},
        {"q": 1.5, "r": 1e21, "s": -0.0},
        {"é": 1, "e": 2},
        [1, 2**52],
    ],
)
# JSON data: ``Any`` because rfc8785 keeps its value type private
def test_canonical_json_matches_rfc_8785(value: Any) -> None:
    import rfc8785

    from borderlink.exchange.envelope import canonical

    assert canonical(value) == rfc8785.dumps(value)


def test_canonical_json_refuses_integers_beyond_double_precision() -> None:
    import rfc8785

    from borderlink.exchange.envelope import canonical

    with pytest.raises(rfc8785.IntegerDomainError):
        canonical([2**60])


@pytest.mark.parametrize("size", [0, 1, 2, 3, 4, 31, 32, 33, 1000])
def test_b64url_decode_reads_what_the_standard_library_reads(size: int) -> None:
    data = bytes(range(256)) * 4
    text = b64url(data[:size])
    assert b64url_decode(text) == base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    assert b64url_decode(text) == data[:size]


def test_headers_decoded_once_for_a_batch_still_check_each_token(
    nodes: dict[str, NodeIdentity], alert: Alert
) -> None:
    """A batch shares its decoded headers; a token with another header (another type, another
    signer) is still checked on its own, and a tampered body still fails its signature."""
    partners = _partners(nodes, "A", "X")
    headers: dict[str, Any] = {}
    token = _token(nodes, alert)
    assert open_envelope(token, partners, me="B", now=NOW, headers=headers).sender == "A"
    assert len(headers) == 1
    head, body, sig = token.split(".")
    raw = bytearray(b64url_decode(body))
    raw[raw.index(b"Cigarettes")] ^= 0x01
    with pytest.raises(IntegrityFailure, match="signature does not verify"):
        open_envelope(
            f"{head}.{b64url(bytes(raw))}.{sig}", partners, me="B", now=NOW, headers=headers
        )
    notice = sign(nodes["A"], {"sender": "A"}, typ=NOTICE)
    with pytest.raises(IntegrityFailure, match="expected a"):
        verify(notice, partners, typ=RECORD, headers=headers)
    forged = sign(nodes["X"], {"sender": "A"}, typ=RECORD)
    with pytest.raises(IntegrityFailure, match="does not name its signer"):
        verify(forged, partners, typ=RECORD, headers=headers)
