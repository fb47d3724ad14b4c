"""When an agreement is suspended or ends: revocations still travel, the partner stops using
what it received at once, and withdraws it as the agreement says (issue 11, item 4)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from borderlink.model import AgreementState
from borderlink.services.accounts.access import Principal
from borderlink.services.cooperation.agreements import transition_agreement
from borderlink.services.cooperation.partners import get_partner
from borderlink.services.cooperation.receiving import purge_expired
from borderlink.services.cooperation.records import (
    active_alerts,
    get_record,
    held_objects,
    issue,
    revoke,
)
from borderlink.services.exchange.sync import sync_partner
from tests.coop_mesh import Mesh, agree, build_mesh, connect
from tests.coop_samples import TODAY, agreement, new_alert

OPS = Principal.system("test")


def _mesh(tmp_path: Path, template: Path, **terms: object) -> Mesh:
    m = build_mesh(tmp_path, ["A", "B"], template=template)
    connect(m, "A", "B")
    agree(m, agreement(**terms))
    return m


@pytest.fixture
def mesh(tmp_path: Path, _sqlite_template: Path) -> Iterator[Mesh]:
    m = _mesh(tmp_path, _sqlite_template)
    yield m
    m.close()


def _both(mesh: Mesh, to: AgreementState) -> None:
    for node in mesh.nodes.values():
        transition_agreement(node, OPS, "AB-2026", to)


@pytest.mark.parametrize("state", [AgreementState.SUSPENDED, AgreementState.EXPIRED])
def test_a_revocation_reaches_the_partner_after_the_agreement_stopped(
    mesh: Mesh, state: AgreementState
) -> None:
    a, b = mesh.nodes["A"], mesh.nodes["B"]
    alert = new_alert(1)
    issue(a, OPS, alert, transport_for=mesh.transport_for)
    assert get_record(b, alert.id).revoked is False
    _both(mesh, state)
    result = revoke(a, OPS, alert.id, reason="wrong trader", transport_for=mesh.transport_for)
    assert result.released_to == ["B"]  # the tombstone goes, whatever the agreement's state
    sync_partner(b, "A", transport=mesh.transport_for(get_partner(b, "A")), witness_log=False)
    assert get_record(b, alert.id).revoked


def test_a_tombstone_behind_a_held_back_copy_is_served_ahead_of_it(mesh: Mesh) -> None:
    a, b = mesh.nodes["A"], mesh.nodes["B"]
    to_a = mesh.transport_for(get_partner(b, "A"))
    first = issue(a, OPS, new_alert(1), notify=False)
    sync_partner(b, "A", transport=to_a, witness_log=False)
    held_back = issue(a, OPS, new_alert(2), notify=False)  # not pulled yet
    transition_agreement(a, OPS, "AB-2026", AgreementState.SUSPENDED)
    revoke(a, OPS, first.record_id, reason="withdrawn", notify=False)
    result = sync_partner(b, "A", transport=to_a, witness_log=False)
    assert result.accepted == 1
    assert get_record(b, first.record_id).revoked
    assert held_back.record_id not in {o["id"] for o in held_objects(b)}
    again = sync_partner(b, "A", transport=to_a, witness_log=False)
    assert (again.accepted, again.duplicates, again.rejected) == (0, 1, {})
    transition_agreement(a, OPS, "AB-2026", AgreementState.IN_FORCE)
    assert sync_partner(b, "A", transport=to_a, witness_log=False).accepted == 1


def test_the_partner_stops_flagging_at_once_when_its_agreement_stops(mesh: Mesh) -> None:
    a, b = mesh.nodes["A"], mesh.nodes["B"]
    alert = new_alert(1)
    issue(a, OPS, alert, transport_for=mesh.transport_for)
    assert [x.alert_id for x in active_alerts(b, TODAY.date())] == [alert.id]
    transition_agreement(b, OPS, "AB-2026", AgreementState.SUSPENDED)
    assert active_alerts(b, TODAY.date()) == []
    transition_agreement(b, OPS, "AB-2026", AgreementState.IN_FORCE)
    assert [x.alert_id for x in active_alerts(b, TODAY.date())] == [alert.id]
    transition_agreement(b, OPS, "AB-2026", AgreementState.EXPIRED)
    assert active_alerts(b, TODAY.date()) == []
    assert held_objects(b) == []  # retain_after_end_days is 0: withdrawn at once
    assert purge_expired(b) == 0


@pytest.fixture
def kept_mesh(tmp_path: Path, _sqlite_template: Path) -> Iterator[Mesh]:
    m = _mesh(tmp_path, _sqlite_template, retain_after_end_days=30)
    yield m
    m.close()


def test_what_was_received_is_kept_for_the_days_the_agreement_allows_after_its_end(
    kept_mesh: Mesh,
) -> None:
    a, b = kept_mesh.nodes["A"], kept_mesh.nodes["B"]
    issue(a, OPS, new_alert(1), transport_for=kept_mesh.transport_for)
    transition_agreement(b, OPS, "AB-2026", AgreementState.EXPIRED)
    today = dt.datetime.now(dt.UTC).date()
    assert purge_expired(b, today=today + dt.timedelta(days=29)) == 0
    assert len(held_objects(b)) == 1
    assert purge_expired(b, today=today + dt.timedelta(days=30)) == 1
    assert held_objects(b) == []
