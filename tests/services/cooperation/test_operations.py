"""Joint operations in-process: A coordinates one with B; C, under a broad agreement, sees none
of it. The shared profile fires at both participants while the operation runs, then nowhere."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from sqlalchemy import insert

from borderlink import risk
from borderlink.errors import Conflict, InvalidInput, NotFound, PermissionDenied, PolicyDenied
from borderlink.services import Node
from borderlink.services.accounts.access import Principal, Role
from borderlink.services.cooperation.operations import (
    create_operation,
    final_report_csv,
    list_operations,
    move_operation,
    operation_dashboard,
    report_results,
)
from borderlink.services.cooperation.records import held_objects
from borderlink.services.risk.profiles import load_active_profiles
from borderlink.store import declaration_writes
from borderlink.store.risk_tables import profile_hits
from tests.assist_samples import operation_agreement, operation_document
from tests.coop_mesh import Mesh, agree, build_mesh, connect

OPS = Principal.system("test")  # acts for the node in the tests


def _today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


@pytest.fixture
def mesh(tmp_path: Path, _sqlite_template: Path) -> Iterator[Mesh]:
    m = build_mesh(tmp_path, ["A", "B", "C"], template=_sqlite_template)
    connect(m, "A", "B")
    connect(m, "A", "C")
    connect(m, "B", "C")
    agree(m, operation_agreement())
    agree(
        m,
        operation_agreement(
            agreement_id="ABC-2026", parties=["A", "B", "C"], amber_recipients=["A", "B", "C"]
        ),
    )
    yield m
    m.close()


def _move(mesh: Mesh, operation_id: str, to: str) -> Any:
    return move_operation(mesh.nodes["A"], OPS, operation_id, to, transport_for=mesh.transport_for)


def _flags(node: Node) -> list[list[str]]:
    """What the profiles in force at ``node`` today flag on two consignments (CN, DE)."""
    frame = pl.DataFrame({"origin_country": ["CN", "DE"], "hs2": ["24", "24"]})
    compiled = risk.compile_profiles(load_active_profiles(node, _today()))
    return list(risk.apply_profiles(frame, compiled)["profile_hits"].to_list())


def _scored_hit(node: Node, declaration_id: str, profile: str) -> None:
    """A declaration of today that the node's scoring flagged with ``profile``."""
    now = dt.datetime.now(dt.UTC)
    with node.transaction() as conn:
        declaration_writes.insert_rows(
            conn,
            [
                {
                    "declaration_id": declaration_id,
                    "declaration_type": "IM",
                    "declared_on": now.date(),
                    "created_at": now,
                }
            ],
        )
        conn.execute(
            insert(profile_hits).values(
                declaration_id=declaration_id, profile_name=profile, profile_version=1, hit_at=now
            )
        )


def test_an_operation_runs_its_profile_at_both_participants_and_stops_when_it_ends(
    mesh: Mesh,
) -> None:
    a, b, c = mesh.nodes["A"], mesh.nodes["B"], mesh.nodes["C"]
    created = create_operation(a, OPS, operation_document(), transport_for=mesh.transport_for)
    assert created is not None
    assert created.released_to == ["B"]
    assert "addressed to A, B only" in created.denied["C"]
    assert create_operation(a, OPS, operation_document()) is None  # same code: nothing new
    [at_b] = list_operations(b, OPS)
    assert (at_b.code, at_b.coordinator, at_b.state) == ("TOBACCO-26", "A", "planned")
    assert _flags(a) == [[], []]
    assert _flags(b) == [[], []]

    _move(mesh, created.record_id, "active")
    name = "op.TOBACCO-26.cn-tobacco"
    assert _flags(a) == [[name], []]
    assert _flags(b) == [[name], []]
    assert list_operations(b, OPS)[0].running_today

    _scored_hit(b, "B-1", name)
    _scored_hit(b, "B-2", name)
    report_results(
        b,
        OPS,
        created.record_id,
        _today(),
        {"seizures": 1, "quantity": 20000, "quantity_unit": "PCE", "hs_chapters": {"24": 1}},
        transport_for=mesh.transport_for,
    )
    report_results(a, OPS, created.record_id, _today(), {"seizures": 0, "inspected": 3})
    board = operation_dashboard(a, OPS, created.record_id)
    assert board.by_participant["B"]["seizures"] == 1
    assert board.by_participant["B"]["declarations_checked"] == 2
    assert board.profile_hits == {"B": {name: 2}, "A": {}}
    assert board.hit_rate == {"B": 0.5, "A": None}
    assert board.by_hs_chapter == {"24": 1}
    assert board.missing_reports == []
    csv_text = final_report_csv(a, OPS, created.record_id)
    assert csv_text.splitlines()[0].startswith("participant,declarations_checked,inspected")
    assert csv_text.splitlines()[-1].startswith("total,2.0,3.0,1.0")

    _move(mesh, created.record_id, "ended")
    assert _flags(a) == [[], []]
    assert _flags(b) == [[], []]
    with pytest.raises(Conflict, match="from ended to active"):
        _move(mesh, created.record_id, "active")
    assert held_objects(c) == []
    assert list_operations(c, OPS) == []


def test_a_correction_replaces_the_days_report(mesh: Mesh) -> None:
    created = create_operation(
        mesh.nodes["A"], OPS, operation_document(), transport_for=mesh.transport_for
    )
    assert created is not None
    _move(mesh, created.record_id, "active")
    for seizures in (1, 4):
        report_results(
            mesh.nodes["B"],
            OPS,
            created.record_id,
            _today(),
            {"seizures": seizures},
            transport_for=mesh.transport_for,
        )
    board = operation_dashboard(mesh.nodes["A"], OPS, created.record_id)
    assert board.by_participant["B"]["seizures"] == 4
    assert board.missing_reports == ["A"]


def test_what_an_operation_needs(mesh: Mesh) -> None:
    a = mesh.nodes["A"]
    agree(mesh, operation_agreement(agreement_id="AB-ALERTS", purposes=["risk-management"]))
    with pytest.raises(PolicyDenied, match="covers joint operations with B"):
        create_operation(a, OPS, operation_document(code="X1", agreement_ids=["AB-ALERTS"]))
    with pytest.raises(InvalidInput, match="ends_on"):
        create_operation(a, OPS, operation_document(code="X2", ends_on="2020-01-01"))
    bad = {"name": "cn-tobacco", "expression": "origin ==", "weight": 0.5, "reason": "x"}
    with pytest.raises(InvalidInput, match="profile cn-tobacco"):
        create_operation(a, OPS, operation_document(code="X3", profiles=[bad]))
    with pytest.raises(InvalidInput, match="coordinator"):
        create_operation(a, OPS, operation_document(code="X4", participants=["B", "C"]))
    created = create_operation(a, OPS, operation_document(), transport_for=mesh.transport_for)
    assert created is not None
    with pytest.raises(PolicyDenied, match="coordinated by A"):
        move_operation(mesh.nodes["B"], OPS, created.record_id, "ended")
    with pytest.raises(NotFound):  # C never got it
        report_results(mesh.nodes["C"], OPS, created.record_id, _today(), {})
    with pytest.raises(InvalidInput, match="outside"):
        report_results(a, OPS, created.record_id, _today() - dt.timedelta(days=30), {})
    officer = Principal(7, "olga", Role.OFFICER, office_id="A-PORT")
    with pytest.raises(PermissionDenied):
        list_operations(a, officer)
