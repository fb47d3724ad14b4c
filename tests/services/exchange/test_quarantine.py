"""Refused envelopes are quarantined, never skipped: the cursor passes only what was accepted
or kept, and a retry accepts them once the cause is fixed (issue 11, item 5)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select, update

from borderlink.errors import IntegrityFailure, PermissionDenied, PolicyDenied, ReplayDetected
from borderlink.model import AgreementState, Alert
from borderlink.services.accounts.access import Principal, Role
from borderlink.services.cooperation.agreements import transition_agreement
from borderlink.services.cooperation.partners import get_partner
from borderlink.services.cooperation.receiving import receive
from borderlink.services.cooperation.records import get_record, held_objects, issue, revoke
from borderlink.services.exchange.quarantine import list_quarantine, retry
from borderlink.services.exchange.sync import SyncResult, sync_partner
from borderlink.services.node import Node
from borderlink.store.cooperation_tables import released
from tests.coop_mesh import Mesh, agree, build_mesh, connect
from tests.coop_samples import agreement, new_alert

OPS = Principal.system("test")


@pytest.fixture
def mesh(tmp_path: Path, _sqlite_template: Path) -> Iterator[Mesh]:
    m = build_mesh(tmp_path, ["A", "B"], template=_sqlite_template)
    connect(m, "A", "B")
    agree(m, agreement())
    yield m
    m.close()


def _sync(mesh: Mesh) -> SyncResult:
    b = mesh.nodes["B"]
    return sync_partner(
        b, "A", transport=mesh.transport_for(get_partner(b, "A")), witness_log=False
    )


def test_an_envelope_refused_for_a_lag_in_agreement_states_is_kept_and_accepted_later(
    mesh: Mesh,
) -> None:
    a, b = mesh.nodes["A"], mesh.nodes["B"]
    transition_agreement(b, OPS, "AB-2026", AgreementState.SUSPENDED)  # B is behind A
    alert = issue(a, OPS, new_alert(1), notify=False)
    tombstone = revoke(a, OPS, alert.record_id, reason="withdrawn", notify=False)
    assert tombstone.released_to == ["B"]
    result = _sync(mesh)
    assert len(result.rejected) == 2  # the alert and its tombstone
    assert result.cursor == tombstone.latest["B"]  # past both: they are kept, not lost
    shown = list_quarantine(b, OPS)
    assert shown.total == 2
    assert {(q.partner_id, q.code) for q in shown.items} == {("A", "policy_denied")}
    assert all("AB-2026 is suspended" in q.reason for q in shown.items)
    assert held_objects(b) == []

    transition_agreement(b, OPS, "AB-2026", AgreementState.IN_FORCE)  # the cause is fixed
    again = _sync(mesh)  # each sync first retries what is quarantined
    assert again.retried == 2
    assert get_record(b, alert.record_id).revoked  # nothing lost, the tombstone included
    assert list_quarantine(b, OPS).total == 0


def test_a_tampered_envelope_stays_in_quarantine_and_the_rest_flows(mesh: Mesh) -> None:
    a, b = mesh.nodes["A"], mesh.nodes["B"]
    bad = issue(a, OPS, new_alert(1), notify=False)
    good = issue(a, OPS, new_alert(2), notify=False)
    with a.engine.begin() as conn:
        token = conn.execute(
            select(released.c.envelope).where(released.c.record_id == bad.record_id)
        ).scalar_one()
        head, body, sig = token.split(".")
        tampered = f"{head}.{body[:-4]}AAAA.{sig}"
        conn.execute(
            update(released).where(released.c.record_id == bad.record_id).values(envelope=tampered)
        )
    result = _sync(mesh)
    assert len(result.rejected) == 1
    kept_alert = get_record(b, good.record_id)
    assert isinstance(kept_alert, Alert)
    assert kept_alert.title == "alert 2"
    (kept,) = list_quarantine(b, OPS).items
    assert kept.code == "integrity_failure"
    assert kept.attempts == 1
    retried = retry(b, OPS)
    assert retried.accepted == []
    assert list(retried.refused) == [kept.digest]
    (kept,) = list_quarantine(b, OPS).items
    assert kept.attempts == 2


def test_the_quarantine_is_for_people_who_share(mesh: Mesh) -> None:
    auditor = Principal(user_id=7, username="auditor", role=Role.AUDITOR)
    with pytest.raises(PermissionDenied):
        list_quarantine(mesh.nodes["B"], auditor)
    with pytest.raises(PermissionDenied):
        retry(mesh.nodes["B"], auditor)


def _envelope_of(node: Node, record_id: str) -> str:
    with node.engine.connect() as conn:
        token: str = conn.execute(
            select(released.c.envelope).where(released.c.record_id == record_id)
        ).scalar_one()
    return token


def test_an_envelope_pushed_and_refused_is_kept_too_and_accepted_once_fixed(mesh: Mesh) -> None:
    # The single-envelope path (a push) keeps what it refuses like a sync does: nothing lost.
    a, b = mesh.nodes["A"], mesh.nodes["B"]
    transition_agreement(b, OPS, "AB-2026", AgreementState.SUSPENDED)
    alert = issue(a, OPS, new_alert(1), notify=False)
    token = _envelope_of(a, alert.record_id)
    with pytest.raises(PolicyDenied, match="AB-2026 is suspended"):
        receive(b, token)
    (kept,) = list_quarantine(b, OPS).items
    assert (kept.partner_id, kept.code, kept.attempts) == ("A", "policy_denied", 1)
    assert held_objects(b) == []

    transition_agreement(b, OPS, "AB-2026", AgreementState.IN_FORCE)
    assert retry(b, OPS).accepted == [kept.digest]
    assert get_record(b, alert.record_id).id == alert.record_id
    assert list_quarantine(b, OPS).total == 0
    # Sent again byte for byte, it is a replay, refused: but it is held, so nothing is kept.
    with pytest.raises(ReplayDetected):
        receive(b, token)
    assert list_quarantine(b, OPS).total == 0


def test_a_tampered_pushed_envelope_is_kept_under_the_sender_it_names(mesh: Mesh) -> None:
    a, b = mesh.nodes["A"], mesh.nodes["B"]
    token = _envelope_of(a, issue(a, OPS, new_alert(1), notify=False).record_id)
    head, body, sig = token.split(".")
    with pytest.raises(IntegrityFailure):
        receive(b, f"{head}.{body[:-4]}AAAA.{sig}")
    (kept,) = list_quarantine(b, OPS).items
    assert (kept.partner_id, kept.code) == ("A", "integrity_failure")
