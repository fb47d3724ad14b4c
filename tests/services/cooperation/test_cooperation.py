"""Cooperation end to end in-process: three nodes, agreements, release, notice, sync, matching."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import polars as pl
import pytest
from sqlalchemy import func, select

from borderlink.cooperation import match_alerts
from borderlink.errors import IntegrityFailure, PartnerUnavailable, PolicyDenied, ReplayDetected
from borderlink.exchange.envelope import seal
from borderlink.exchange.stix import flat_view, to_stix
from borderlink.model import AgreementState, Alert
from borderlink.services.accounts.access import Principal
from borderlink.services.cooperation.agreements import transition_agreement
from borderlink.services.cooperation.partners import get_partner
from borderlink.services.cooperation.receiving import receive
from borderlink.services.cooperation.records import (
    active_alerts,
    get_record,
    held_objects,
    issue,
    record_seizure,
    revoke,
)
from borderlink.services.exchange.log import verify_log
from borderlink.services.exchange.sync import sync_partner
from borderlink.store.cooperation_tables import released
from borderlink.store.tables import audit_log
from tests.coop_mesh import Mesh, agree, build_mesh, connect
from tests.coop_samples import TODAY, agreement, new_alert, new_seizure

OPS = Principal.system("test")  # acts for the node in the tests


@pytest.fixture
def mesh(tmp_path: Path, _sqlite_template: Path) -> Iterator[Mesh]:
    m = build_mesh(tmp_path, ["A", "B", "C"], template=_sqlite_template)
    connect(m, "A", "B")
    connect(m, "A", "C")
    agree(m, agreement(redact={"seizure": ["concealment"]}))
    agree(
        m,
        agreement(agreement_id="AC-2026", parties=["A", "C"], categories=["alert"]),
        to=AgreementState.SUSPENDED,
    )
    yield m
    m.close()


def test_seizure_reaches_b_redacted_never_c_and_b_flags_a_declaration(mesh: Mesh) -> None:
    seizure = new_seizure()
    results = record_seizure(mesh.nodes["A"], OPS, seizure, transport_for=mesh.transport_for)
    assert [r.released_to for r in results] == [["B"], ["B"]]
    assert all("C" in r.denied and "suspended" in r.denied["C"] for r in results)
    assert [r.notified for r in results] == [["B"], ["B"]]

    at_b = {o["id"]: o for o in held_objects(mesh.nodes["B"])}
    assert set(at_b) == {seizure.id, results[1].record_id}
    copy = flat_view(at_b[seizure.id])  # the record fields, as B holds them
    for absent in ("parties", "declaration_id", "concealment"):
        assert absent not in copy
    assert copy["redacted"] == ["concealment", "declaration_id", "parties"]
    assert copy["hs_code"] == "240220"
    assert held_objects(mesh.nodes["C"]) == []

    alerts = active_alerts(mesh.nodes["B"], TODAY.date())
    assert [(a.partner_id, a.hs_codes, a.trader_ids) for a in alerts] == [("A", ("240220",), ())]
    frame = pl.DataFrame(
        {
            "declaration_id": ["B-1", "B-2"],
            "declared_on": [TODAY.date(), TODAY.date()],
            "hs_code_current": ["240220", "240220"],
            "origin_country": ["CN", "TR"],
            "departure_country": ["CN", "CN"],
            "loading_location": ["CNSHA", "CNSHA"],
        }
    )
    hits = match_alerts(frame, alerts)
    assert hits.select("declaration_id", "alert_id", "partner").rows() == [
        ("B-1", results[1].record_id, "A")
    ]
    assert verify_log(mesh.nodes["A"], mesh.identities["A"].public_key).tree_size == 2
    assert verify_log(mesh.nodes["B"], mesh.identities["B"].public_key).tree_size == 2


def test_replay_and_policy_violations_are_refused_and_recorded(mesh: Mesh) -> None:
    result = issue(mesh.nodes["A"], OPS, new_alert(1), notify=False)
    with mesh.nodes["A"].engine.connect() as conn:
        token = conn.execute(select(released.c.envelope)).scalar_one()
    receive(mesh.nodes["B"], token)
    with pytest.raises(ReplayDetected, match="already received"):
        receive(mesh.nodes["B"], token)
    # C holds the A-C agreement, suspended: an envelope from A under it is refused.
    with pytest.raises(IntegrityFailure, match="addressed to 'B'"):
        receive(mesh.nodes["C"], token)
    with mesh.nodes["B"].engine.connect() as conn:
        rejects = conn.execute(
            select(audit_log.c.reason).where(audit_log.c.action == "exchange.reject")
        ).all()
    assert len(rejects) == 1
    alert = get_record(mesh.nodes["B"], result.record_id)
    assert isinstance(alert, Alert)
    assert alert.title == "alert 1"


def test_b_refuses_fields_the_agreement_excludes(mesh: Mesh) -> None:
    # A misconfigured A (agreement lets identities through) sends nominal data; B's copy of the
    # agreement does not: B refuses the envelope instead of storing names.
    seizure = new_seizure()
    token = seal(
        mesh.identities["A"],
        recipient="B",
        agreement_id="AB-2026",
        purpose="risk-management",
        stix_object=to_stix(seizure, agreement_id="AB-2026"),
        now=TODAY,
    )
    with pytest.raises(PolicyDenied, match="excludes: concealment, declaration_id, parties"):
        receive(mesh.nodes["B"], token)


def _failing_after(inner: httpx.BaseTransport, pages: int) -> httpx.BaseTransport:
    calls = {"objects": 0}

    def handle(request: httpx.Request) -> httpx.Response:
        if "/objects/" in request.url.path:
            calls["objects"] += 1
            if calls["objects"] > pages:
                raise httpx.ConnectError("node killed mid-sync")
        return inner.handle_request(request)

    return httpx.MockTransport(handle)


def test_sync_killed_mid_way_resumes_with_no_loss_and_no_duplicate(mesh: Mesh) -> None:
    a, b = mesh.nodes["A"], mesh.nodes["B"]
    for n in range(25):
        issue(a, OPS, new_alert(n), notify=False)
    to_a = mesh.transport_for(get_partner(b, "A"))
    with pytest.raises(PartnerUnavailable, match="killed"):
        sync_partner(b, "A", transport=_failing_after(to_a, 2), page_size=10)
    assert len(held_objects(b)) == 20
    result = sync_partner(b, "A", transport=to_a, page_size=10)
    assert (result.accepted, result.duplicates, result.rejected) == (5, 0, {})
    assert len(held_objects(b)) == 25
    again = sync_partner(b, "A", transport=to_a, page_size=10)
    assert (again.pages, again.accepted) == (0, 0)
    assert again.witnessed_size == 25


def test_revocation_travels_as_a_tombstone_and_deactivates_the_alert(mesh: Mesh) -> None:
    a, b = mesh.nodes["A"], mesh.nodes["B"]
    alert = new_alert(3)
    issue(a, OPS, alert, transport_for=mesh.transport_for)
    assert [x.alert_id for x in active_alerts(b, TODAY.date())] == [alert.id]
    revoke(a, OPS, alert.id, reason="false positive", transport_for=mesh.transport_for)
    assert active_alerts(b, TODAY.date()) == []
    assert get_record(b, alert.id).revoked
    with a.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(released)).scalar_one() == 2


def test_suspension_holds_back_released_copies_and_expiry_drops_them(mesh: Mesh) -> None:
    a, b = mesh.nodes["A"], mesh.nodes["B"]
    to_a = mesh.transport_for(get_partner(b, "A"))
    first = issue(a, OPS, new_alert(1), notify=False)
    transition_agreement(a, OPS, "AB-2026", AgreementState.SUSPENDED)
    second = issue(a, OPS, new_alert(2), notify=False)
    assert second.released_to == []  # nothing new leaves while suspended
    assert sync_partner(b, "A", transport=to_a).accepted == 0  # nor what was released before
    transition_agreement(a, OPS, "AB-2026", AgreementState.IN_FORCE)
    assert sync_partner(b, "A", transport=to_a).accepted == 1
    alert = get_record(b, first.record_id)
    assert isinstance(alert, Alert)
    assert alert.title == "alert 1"
    third = issue(a, OPS, new_alert(3), notify=False)
    transition_agreement(a, OPS, "AB-2026", AgreementState.EXPIRED)
    result = sync_partner(b, "A", transport=to_a)
    assert result.accepted == 0
    assert result.cursor == third.latest["B"]  # dropped for good, not waiting
