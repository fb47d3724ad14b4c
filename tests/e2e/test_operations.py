"""A joint operation between real nodes over HTTP on loopback, each with its own database.

A coordinates an operation with B under their agreement; C is party with both to a broader one.
The operation's shared profile fires at A and at B once it starts and at neither once it ends;
B's results reach A's dashboard; C receives nothing at any point, notified or asking.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from borderlink import risk
from borderlink.services import Node
from borderlink.services.accounts.access import Principal
from borderlink.services.cooperation.operations import (
    create_operation,
    list_operations,
    move_operation,
    operation_dashboard,
    report_results,
)
from borderlink.services.cooperation.records import held_objects
from borderlink.services.exchange.sync import sync_partner
from borderlink.services.risk.profiles import load_active_profiles
from tests.assist_samples import operation_agreement, operation_document
from tests.coop_mesh import LiveServer, Mesh, agree, build_mesh, connect, go_live

OPS = Principal.system("test")  # acts for the node in the tests
NAME = "op.TOBACCO-26.cn-tobacco"

pytestmark = pytest.mark.slow


@pytest.fixture
def live(tmp_path: Path, _sqlite_template: Path) -> Iterator[Mesh]:
    mesh = build_mesh(tmp_path, ["A", "B", "C"], template=_sqlite_template)
    servers: dict[str, LiveServer] = go_live(mesh)
    try:
        connect(mesh, "A", "B")
        connect(mesh, "A", "C")
        connect(mesh, "B", "C")
        agree(mesh, operation_agreement())
        broad = operation_agreement(
            agreement_id="ABC-2026", parties=["A", "B", "C"], amber_recipients=["A", "B", "C"]
        )
        agree(mesh, broad)
        yield mesh
    finally:
        for server in servers.values():
            server.stop()
        mesh.close()


def _wait_for(check: Any, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        time.sleep(0.02)


def _flags(node: Node) -> list[list[str]]:
    frame = pl.DataFrame({"origin_country": ["CN", "DE"], "hs2": ["24", "24"]})
    today = dt.datetime.now(dt.UTC).date()
    compiled = risk.compile_profiles(load_active_profiles(node, today))
    return list(risk.apply_profiles(frame, compiled)["profile_hits"].to_list())


def _state_at(node: Node) -> str | None:
    found = list_operations(node, OPS)
    return found[0].state if found else None


def test_shared_profile_flags_at_both_participants_until_the_end_third_gets_nothing(
    live: Mesh,
) -> None:
    a, b, c = live.nodes["A"], live.nodes["B"], live.nodes["C"]
    created = create_operation(a, OPS, operation_document())
    assert created is not None
    assert (created.released_to, created.notified) == (["B"], ["B"])
    _wait_for(lambda: _state_at(b) == "planned")

    move_operation(a, OPS, created.record_id, "active")
    _wait_for(lambda: _state_at(b) == "active")
    assert _flags(a) == [[NAME], []]
    assert _flags(b) == [[NAME], []]

    today = dt.datetime.now(dt.UTC).date()
    report_results(b, OPS, created.record_id, today, {"seizures": 2, "routes": {"CN": 2}})
    _wait_for(lambda: "B" in operation_dashboard(a, OPS, created.record_id).by_participant)
    assert operation_dashboard(a, OPS, created.record_id).by_route == {"CN": 2}

    move_operation(a, OPS, created.record_id, "ended")
    _wait_for(lambda: _state_at(b) == "ended")
    assert _flags(a) == [[], []]
    assert _flags(b) == [[], []]

    assert sync_partner(c, "A").accepted == 0
    assert sync_partner(c, "B").accepted == 0
    assert held_objects(c) == []
    assert list_operations(c, OPS) == []
    assert _flags(c) == [[], []]
