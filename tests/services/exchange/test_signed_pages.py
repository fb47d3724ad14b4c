"""Sync verifies one signature per page and a hash per envelope (issue 11, the backlog's rate):
what the page does not vouch for, byte for byte, is verified alone and refused alone; a page
that does not hold together is refused whole, and the cursor stays."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select, update

from borderlink.errors import IntegrityFailure
from borderlink.exchange.envelope import canonical
from borderlink.exchange.identity import Partner, b64url, b64url_decode
from borderlink.services.cooperation.partners import get_partner
from borderlink.services.cooperation.records import get_record, held_objects, issue_all
from borderlink.services.exchange.quarantine import list_quarantine
from borderlink.services.exchange.sync import SyncResult, cursor, sync_partner
from borderlink.store.cooperation_tables import released
from borderlink.store.tables import audit_log
from tests.coop_mesh import OPS, Mesh, agree, build_mesh, connect
from tests.coop_samples import agreement, new_alert

Change = Callable[[dict[str, Any]], dict[str, Any]]


@pytest.fixture
def mesh(tmp_path: Path, _sqlite_template: Path) -> Iterator[Mesh]:
    m = build_mesh(tmp_path, ["A", "B"], template=_sqlite_template)
    connect(m, "A", "B")
    agree(m, agreement())
    issue_all(m.nodes["A"], OPS, [new_alert(n) for n in range(4)], notify=False)
    yield m
    m.close()


def _meddled(mesh: Mesh, change: Change | None) -> httpx.BaseTransport:
    """A's answers to B, the pages of records changed by ``change`` on the way."""
    inner = mesh.transport_for(get_partner(mesh.nodes["B"], "A"))
    if change is None:
        return inner

    def handle(request: httpx.Request) -> httpx.Response:
        response = inner.handle_request(request)
        if "/objects/" not in request.url.path:
            return response
        response.read()
        return httpx.Response(response.status_code, json=change(response.json()))

    return httpx.MockTransport(handle)


def _sync(mesh: Mesh, change: Change | None = None) -> SyncResult:
    return sync_partner(
        mesh.nodes["B"], "A", transport=_meddled(mesh, change), page_size=3, witness_log=False
    )


def _forged(token: str, title: str) -> str:
    """``token`` with another title, well formed, under its original signature."""
    head, body, sig = token.split(".")
    payload = json.loads(b64url_decode(body))
    payload["object"]["name"] = title
    return f"{head}.{b64url(canonical(payload))}.{sig}"


def _receipts(mesh: Mesh) -> list[dict[str, Any]]:
    with mesh.nodes["B"].engine.connect() as conn:
        rows = conn.execute(
            select(audit_log.c.details).where(audit_log.c.action == "exchange.receive")
        )
        return [r.details for r in rows]


def test_a_sync_verifies_one_signature_per_page(
    mesh: Mesh, monkeypatch: pytest.MonkeyPatch
) -> None:
    checked: list[str] = []
    original = Partner.verify

    def counted(self: Partner, *args: Any, **kwargs: Any) -> None:
        checked.append(self.partner_id)
        original(self, *args, **kwargs)

    monkeypatch.setattr(Partner, "verify", counted)
    result = _sync(mesh)
    assert (result.accepted, result.pages) == (4, 2)
    assert len(checked) == 2  # one per page, none per envelope
    assert [r["vouched_by_page_signature"] for r in _receipts(mesh)] == [3, 1]


def test_a_tampered_envelope_in_a_signed_page_is_refused_alone_and_quarantined(
    mesh: Mesh,
) -> None:
    # Changed on the way: its bytes are not the ones the page signed.
    def tamper(page: dict[str, Any]) -> dict[str, Any]:
        envelopes = page["x_borderlink_envelopes"]
        if page["more"]:  # the first page
            envelopes[1] = _forged(envelopes[1], "tampered")
        return page

    result = _sync(mesh, tamper)
    assert result.accepted == 3
    assert result.cursor == 4  # past all: three accepted, the tampered one kept
    (kept,) = list_quarantine(mesh.nodes["B"], OPS).items
    assert kept.code == "integrity_failure"
    assert "signature does not verify" in kept.reason
    assert "tampered" not in {o["name"] for o in held_objects(mesh.nodes["B"])}


def test_an_envelope_changed_in_the_senders_store_is_not_vouched_for(mesh: Mesh) -> None:
    # Changed where A keeps it: A's page vouches only for what its log recorded as sealed.
    a = mesh.nodes["A"]
    with a.engine.begin() as conn:
        seq, token = conn.execute(select(released.c.seq, released.c.envelope).limit(1)).one()
        conn.execute(
            update(released).where(released.c.seq == seq).values(envelope=_forged(token, "x"))
        )
    result = _sync(mesh)
    assert result.accepted == 3
    (kept,) = list_quarantine(mesh.nodes["B"], OPS).items
    assert "signature does not verify" in kept.reason
    assert [r["vouched_by_page_signature"] for r in _receipts(mesh)] == [2, 1]


def _drop_one(page: dict[str, Any]) -> dict[str, Any]:
    page["x_borderlink_envelopes"] = page["x_borderlink_envelopes"][1:]
    return page


def _skip_ahead(page: dict[str, Any]) -> dict[str, Any]:
    page["next"] = str(int(page["next"]) + 1)
    return page


@pytest.mark.parametrize("change", [_drop_one, _skip_ahead])
def test_a_page_that_does_not_hold_together_is_refused_and_the_cursor_stays(
    mesh: Mesh, change: Change
) -> None:
    with pytest.raises(IntegrityFailure, match="refused"):
        _sync(mesh, change)
    b = mesh.nodes["B"]
    with b.engine.connect() as conn:
        assert cursor(conn, "A") == 0
    assert held_objects(b) == []
    assert _sync(mesh).accepted == 4  # nothing was lost


def test_a_page_without_a_signature_has_each_envelope_verified_alone(mesh: Mesh) -> None:
    def unsigned(page: dict[str, Any]) -> dict[str, Any]:
        page.pop("x_borderlink_page")
        if page["more"]:
            page["x_borderlink_envelopes"][0] = _forged(page["x_borderlink_envelopes"][0], "y")
        return page

    result = _sync(mesh, unsigned)
    assert result.accepted == 3
    assert len(result.rejected) == 1
    assert [r["vouched_by_page_signature"] for r in _receipts(mesh)] == [0, 0]
    assert all(get_record(mesh.nodes["B"], o["id"]) for o in held_objects(mesh.nodes["B"]))
