"""A page's signature: what it binds (recipient, cursor, count, digests, time) and what it vouches
for (issue 11: one signature verified per page of a sync)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from borderlink.errors import IntegrityFailure
from borderlink.exchange.envelope import digest, open_envelope, seal, verify
from borderlink.exchange.identity import NodeIdentity, Partner, b64url, create_key
from borderlink.exchange.page import PAGE, open_page, sign_page
from borderlink.exchange.stix import to_stix
from borderlink.model import Alert

NOW = dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC)


@pytest.fixture
def nodes(tmp_path: Path) -> dict[str, NodeIdentity]:
    return {n: NodeIdentity(n, n, create_key(tmp_path / f"{n}.pem")) for n in "AX"}


def _partner(nodes: dict[str, NodeIdentity], name: str = "A") -> Partner:
    return Partner("A", "A", nodes[name].public_key, "http://a")


def _page(nodes: dict[str, NodeIdentity], digests: list[str | None], **over: object) -> str:
    args: dict[str, object] = {
        "recipient": "B",
        "after": 10,
        "next": 12,
        "more": True,
        "digests": digests,
        "now": NOW,
    }
    args.update(over)
    return sign_page(nodes["A"], **args)  # type: ignore[arg-type]


def test_a_page_vouches_for_the_envelopes_it_lists_byte_for_byte(
    nodes: dict[str, NodeIdentity],
) -> None:
    token = "a.b.c"
    manifest = open_page(
        _page(nodes, [digest(token), None]), _partner(nodes), me="B", after=10, count=2, now=NOW
    )
    assert (manifest.sender, manifest.after, manifest.next, manifest.more) == ("A", 10, 12, True)
    assert manifest.vouches(0, token)
    assert not manifest.vouches(0, token + "x")  # another byte: not what was signed
    assert not manifest.vouches(1, token)  # listed as not vouched for
    assert not manifest.vouches(2, token)  # beyond the page


@pytest.mark.parametrize(
    ("asked", "why"),
    [
        ({"me": "C"}, "signed for 'B'"),
        ({"after": 0}, "from cursor 10"),
        ({"count": 1}, "over 2 envelopes, 1 arrived"),
        ({"now": NOW + dt.timedelta(hours=1)}, "outside the clock window"),
    ],
)
def test_a_page_is_refused_whole_when_what_it_binds_does_not_hold(
    nodes: dict[str, NodeIdentity], asked: dict[str, object], why: str
) -> None:
    token = _page(nodes, [None, None])
    args: dict[str, object] = {"me": "B", "after": 10, "count": 2, "now": NOW}
    args.update(asked)
    with pytest.raises(IntegrityFailure, match=why):
        open_page(token, _partner(nodes), **args)  # type: ignore[arg-type]


def test_a_page_signed_by_another_key_is_refused(nodes: dict[str, NodeIdentity]) -> None:
    forged = sign_page(
        NodeIdentity("A", "A", nodes["X"].private_key),
        recipient="B",
        after=0,
        next=None,
        more=False,
        digests=[],
        now=NOW,
    )
    with pytest.raises(IntegrityFailure, match="does not verify"):
        open_page(forged, _partner(nodes), me="B", after=0, count=0, now=NOW)
    assert verify(_page(nodes, []), {"A": _partner(nodes)}, typ=PAGE).sender == "A"


def test_a_vouched_envelope_skips_only_its_own_signature(
    nodes: dict[str, NodeIdentity], alert: Alert
) -> None:
    token = seal(
        nodes["A"],
        recipient="B",
        agreement_id="AB-2026",
        purpose="risk-management",
        stix_object=to_stix(alert),
        now=NOW,
    )
    head, body, _ = token.split(".")
    unsigned = f"{head}.{body}.{b64url(b'0' * 64)}"
    partners = {"A": _partner(nodes)}
    with pytest.raises(IntegrityFailure, match="does not verify"):
        open_envelope(unsigned, partners, me="B", now=NOW)
    # Vouched for by A (its page listed these bytes): the rest is checked all the same.
    assert open_envelope(unsigned, partners, me="B", now=NOW, vouched_by="A").sender == "A"
    with pytest.raises(IntegrityFailure, match="does not verify"):
        open_envelope(unsigned, partners, me="B", now=NOW, vouched_by="X")  # not its signer
    with pytest.raises(IntegrityFailure, match="addressed to 'B'"):
        open_envelope(unsigned, partners, me="C", now=NOW, vouched_by="A")
