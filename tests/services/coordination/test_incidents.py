"""Incident reports over the store, on SQLite and PostgreSQL: opened once per reference, added to
once per entry key, read per post, merged in order, and turned into a seizure report or an alert
through the cooperation use cases (the release policy decides what leaves)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from borderlink.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from borderlink.model import Alert, Seizure
from borderlink.services import Node
from borderlink.services.accounts.access import Principal, Role
from borderlink.services.cooperation import records
from borderlink.services.coordination import incidents
from borderlink.store.cooperation_tables import released
from borderlink.store.coordination_tables import incident_entries
from tests.coop_mesh import Mesh, agree, build_mesh, connect
from tests.coop_samples import agreement
from tests.surfaces import OFFICE_A, OFFICE_B

OFFICER = Principal(user_id=1, username="officer-1", role=Role.OFFICER, office_id=OFFICE_A)
ELSEWHERE = Principal(user_id=2, username="officer-b", role=Role.OFFICER, office_id=OFFICE_B)
HEALTH = Principal(
    user_id=3, username="vet-1", role=Role.AGENCY_OFFICER, agency="health", office_id=OFFICE_A
)
LIAISON = Principal(user_id=4, username="liaison-1", role=Role.LIAISON_OFFICER)
OPENING: dict[str, Any] = {
    "what": "Undeclared ivory found behind a false wall",
    "where": "bay 3",
    "when": "2026-12-02T09:30:00+00:00",
    "goods": "2 tusks\n",
    "hs_code": "0507",
    "quantity": "12.5",
    "quantity_unit": "kg",
    "persons": ["J. Driver"],
}


def entries(node: Node) -> int:
    with node.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(incident_entries)).scalar_one())


def test_opening_and_adding_are_idempotent_and_the_report_merges_in_order(node: Node) -> None:
    first = incidents.open_incident(node, OFFICER, OPENING, reference="INC-1")
    assert incidents.open_incident(node, OFFICER, OPENING, reference="INC-1") == first
    with pytest.raises(Conflict, match="other values"):
        incidents.open_incident(node, OFFICER, {**OPENING, "where": "bay 4"}, reference="INC-1")
    added = {"persons": "J. Driver\nA. Helper", "actions": ["goods detained"], "what": "CITES"}
    after = incidents.add_to_incident(node, HEALTH, first.incident_id, added, entry_key="k1")
    assert (
        incidents.add_to_incident(node, HEALTH, first.incident_id, added, entry_key="k1") == after
    )
    assert entries(node) == 2
    assert after.report["persons"] == ["J. Driver", "A. Helper"]  # lists grow, once each
    assert after.report["what"] == f"{OPENING['what']}\n\nCITES"  # texts gather paragraphs
    assert after.report["quantity"] == 12.5
    assert [(e.agency, e.author) for e in after.entries] == [
        ("customs", "officer-1"),
        ("health", "vet-1"),
    ]


def test_bad_input_names_the_incident_and_the_field(node: Node) -> None:
    with pytest.raises(InvalidInput, match=r"INC-2: Where .* is required") as missing:
        incidents.open_incident(node, OFFICER, {**OPENING, "where": ""}, reference="INC-2")
    assert missing.value.field == "where"
    with pytest.raises(InvalidInput, match="not a number") as number:
        incidents.open_incident(node, OFFICER, {**OPENING, "quantity": "lots"}, reference="INC-2")
    assert number.value.field == "quantity"
    with pytest.raises(InvalidInput, match="'colour' is not a field") as unknown:
        incidents.open_incident(node, OFFICER, {**OPENING, "colour": "red"}, reference="INC-2")
    assert unknown.value.field == "colour"
    with pytest.raises(InvalidInput, match="reference"):
        incidents.open_incident(node, OFFICER, OPENING, reference="no spaces")


def test_officers_see_their_posts_incidents_and_liaison_officers_may_not_write(
    node: Node,
) -> None:
    made = incidents.open_incident(node, OFFICER, OPENING, reference="INC-3")
    assert incidents.list_incidents(node, HEALTH).total == 1
    assert incidents.list_incidents(node, ELSEWHERE).total == 0
    with pytest.raises(NotFound):
        incidents.add_to_incident(node, ELSEWHERE, made.incident_id, {"actions": ["x"]})
    with pytest.raises(PermissionDenied):
        incidents.open_incident(node, LIAISON, OPENING)
    with pytest.raises(PermissionDenied):
        incidents.to_seizure(node, OFFICER, made.incident_id)


@pytest.fixture
def pair(tmp_path: Path, _sqlite_template: Path) -> Iterator[Mesh]:
    """Nodes A and B under an agreement in force that removes a seizure's parties."""
    mesh = build_mesh(tmp_path, ["A", "B"], template=_sqlite_template)
    connect(mesh, "A", "B")
    agree(mesh, agreement(redact={"seizure": ["parties"]}))
    yield mesh
    mesh.close()


def test_an_incident_becomes_a_seizure_once_and_an_alert_through_the_release_policy(
    pair: Mesh,
) -> None:
    node = pair.nodes["A"]
    made = incidents.open_incident(node, OFFICER, OPENING, reference="INC-4")
    record_id = incidents.to_seizure(node, LIAISON, made.incident_id)
    assert incidents.to_seizure(node, LIAISON, made.incident_id) == record_id
    seizure = records.get_record(node, record_id)
    assert isinstance(seizure, Seizure)
    assert seizure.goods_description == OPENING["what"]
    assert [p.name for p in seizure.parties] == ["J. Driver"]
    assert seizure.hs_code == "0507"
    with node.engine.connect() as conn:
        copies = conn.execute(
            select(released.c.partner_id, released.c.stix).where(released.c.record_id == record_id)
        ).all()
    assert [c.partner_id for c in copies] == ["B"]  # one copy, once
    assert "J. Driver" not in str(copies[0].stix)  # the agreement removed the parties
    alert_id = incidents.to_alert(node, LIAISON, made.incident_id, title="Ivory", days=30)
    alert = records.get_record(node, alert_id)
    assert isinstance(alert, Alert)
    assert alert.title == "Ivory"
    view = incidents.get_incident(node, OFFICER, made.incident_id)
    assert (view.seizure_record_id, view.alert_record_id) == (record_id, alert_id)
