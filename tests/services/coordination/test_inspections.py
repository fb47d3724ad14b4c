"""Customs inspections over the store, on SQLite and PostgreSQL: assignment to an officer of the
declaration's office within the day's capacity; the structured report with its outcome in one
transaction, checked against the declaration's goods; a seizure reported to partners from it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from borderlink.coordination import InspectionReport, ItemFinding, Method
from borderlink.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from borderlink.model import Seizure
from borderlink.services import Node
from borderlink.services.accounts.access import Principal, Role
from borderlink.services.cooperation import records
from borderlink.services.coordination import inspections
from borderlink.services.coordination.seizures import report_seizure
from borderlink.store.coordination_tables import inspection_reports
from borderlink.store.tables import outcomes
from tests.coop_mesh import Mesh, agree, build_mesh, connect
from tests.coop_samples import agreement
from tests.surfaces import OFFICE_A, OFFICE_B, Seeded, seed, seed_declarations

DAY = dt.date(2026, 12, 3)


@pytest.fixture
def seeded(node: Node) -> Seeded:
    return seed(node)


def officer(seeded: Seeded) -> Principal:
    return Principal(
        user_id=1, username=seeded.users[Role.OFFICER], role=Role.OFFICER, office_id=OFFICE_A
    )


def test_assignment_respects_the_officer_office_and_capacity(seeded: Seeded) -> None:
    node, me = seeded.node, officer(seeded)
    first, second, _ = seeded.office_a
    admin = Principal.system("admin")
    inspections.set_capacity(node, admin, OFFICE_A, 1)
    made = inspections.assign(node, me, first, me.username, DAY)
    assert inspections.assign(node, me, first, me.username, DAY) == made  # the same: no change
    assert (made.capacity, made.assigned_that_day) == (1, 1)
    with pytest.raises(Conflict, match=f"office {OFFICE_A} has 1 inspections assigned") as full:
        inspections.assign(node, me, second, me.username, DAY)
    assert full.value.field == "day"
    assert inspections.assign(node, me, second, me.username, DAY + dt.timedelta(days=1)).day
    with pytest.raises(InvalidInput, match="not an active officer") as who:
        inspections.assign(node, me, first, seeded.users[Role.AUDITOR], DAY)
    assert who.value.field == "officer"
    with pytest.raises(NotFound):
        inspections.assign(node, me, seeded.office_b[0], me.username, DAY)
    with pytest.raises(InvalidInput, match=f"not at {OFFICE_B}"):
        inspections.assign(node, admin, seeded.office_b[0], me.username, DAY)
    with pytest.raises(PermissionDenied):
        inspections.set_capacity(node, me, OFFICE_A, 5)
    assert inspections.officers(node, me, first) == [me.username]


def report(**extra: object) -> InspectionReport:
    values: dict[str, object] = {
        "methods": [Method.NII, Method.PHYSICAL],
        "findings": [
            {"item_no": 1, "as_declared": True, "nii_result": "clear"},
            {
                "item_no": 2,
                "as_declared": False,
                "found_description": "counterfeit switches",
                "found_quantity": 40,
                "seized_quantity": 40,
                "quantity_unit": "pce",
                "sample_taken": True,
            },
        ],
        "illicit": True,
        "severity": 3,
        "note": "brand marks counterfeit",
    }
    return InspectionReport.model_validate(values | extra)


def test_a_report_records_its_outcome_and_must_agree_with_its_findings(seeded: Seeded) -> None:
    node, me = seeded.node, officer(seeded)
    declaration_id = seeded.office_a[0]
    with pytest.raises(InvalidInput, match="not as declared or seized, yet the result is compl"):
        inspections.record_report(node, me, declaration_id, report(illicit=False, severity=0))
    bad_item = ItemFinding(item_no=9, as_declared=True)
    with pytest.raises(InvalidInput, match=f"{declaration_id} has no goods item 9") as error:
        inspections.record_report(node, me, declaration_id, report(findings=[bad_item]))
    assert error.value.field == "item_no"
    with pytest.raises(InvalidInput, match="no NII was used"):
        inspections.record_report(node, me, declaration_id, report(methods=["physical"]))
    with node.engine.connect() as conn:  # nothing half-written by the refusals
        assert (
            conn.execute(
                select(outcomes).where(outcomes.c.declaration_id == declaration_id)
            ).first()
            is None
        )
    view, outcome = inspections.record_report(node, me, declaration_id, report())
    assert (view.version, outcome.illicit, outcome.severity) == (1, True, 3)
    again, _ = inspections.record_report(node, me, declaration_id, report())
    assert again.version == 1
    fixed = report(findings=[{"item_no": 2, "as_declared": False, "seized_quantity": 41}])
    assert inspections.record_report(node, me, declaration_id, fixed)[0].version == 2
    with node.engine.connect() as conn:
        assert conn.execute(select(inspection_reports.c.version)).scalar_one() == 2
    assert inspections.report_for(node, me, declaration_id) is not None


def test_a_seizure_is_reported_only_by_who_releases_and_only_when_something_was_seized(
    seeded: Seeded,
) -> None:
    node, me = seeded.node, officer(seeded)
    declaration_id = seeded.office_a[0]
    with pytest.raises(PermissionDenied):
        report_seizure(node, me, declaration_id)
    liaison = Principal(user_id=9, username="liaison-1", role=Role.LIAISON_OFFICER)
    with pytest.raises(Conflict, match="records nothing seized"):
        report_seizure(node, liaison, declaration_id)


@pytest.fixture
def pair(tmp_path: Path, _sqlite_template: Path) -> Iterator[Mesh]:
    """Nodes A and B under an agreement in force that removes a seizure's parties."""
    mesh = build_mesh(tmp_path, ["A", "B"], template=_sqlite_template)
    connect(mesh, "A", "B")
    agree(mesh, agreement(redact={"seizure": ["parties"]}))
    yield mesh
    mesh.close()


def test_the_seizure_found_is_reported_once_from_the_declaration(pair: Mesh) -> None:
    node = pair.nodes["A"]
    office_a, _ = seed_declarations(node)
    me = Principal(user_id=1, username="officer-1", role=Role.OFFICER, office_id=OFFICE_A)
    inspections.record_report(node, me, office_a[0], report())
    liaison = Principal(user_id=9, username="liaison-1", role=Role.LIAISON_OFFICER)
    first = report_seizure(node, liaison, office_a[0], concealment="false floor")
    assert first.released_to == ["B"]
    again = report_seizure(node, liaison, office_a[0])
    assert again.record_id == first.record_id  # one seizure report per declaration, a new version
    seizure = records.get_record(node, first.record_id)
    assert isinstance(seizure, Seizure)
    assert seizure.goods_description == "item 2: counterfeit switches (40 pce)"
    assert (seizure.quantity, seizure.hs_code, seizure.declaration_id) == (
        40,
        "851762",
        office_a[0],
    )
    assert {p.role for p in seizure.parties} == {"importer", "exporter", "declarant"}
