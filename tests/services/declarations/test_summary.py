"""The node's totals and the facts the demo's steps start from, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest

from borderlink.errors import PermissionDenied
from borderlink.services import Node
from borderlink.services.accounts.access import Principal, Role
from borderlink.services.declarations import summary
from borderlink.services.declarations.read import latest_day
from borderlink.services.ingest.files import ingest_file
from tests.factories import good
from tests.surfaces import OFFICE_A, OFFICE_B, seed_declarations

OPS = Principal.system("test")


def test_an_empty_node_has_no_office_no_date_and_zero_totals(node: Node) -> None:
    assert summary.busiest_office(node, OPS) is None
    assert latest_day(node, OPS) is None
    totals = summary.node_totals(node, OPS)
    assert totals["declarations"] == totals["goods_items"] == totals["open_rejects"] == 0
    assert totals["first_date"] is totals["last_date"] is None


def test_totals_count_what_was_ingested(node: Node, write_csv: Callable[..., Path]) -> None:
    rows = [
        good(declaration_id="D1", office_id="OF1", declared_on="2025-01-02"),
        good(declaration_id="D2", office_id="OF2", declared_on="2025-01-05"),
        good(declaration_id="D3", office_id="OF2", declared_on="2025-01-03"),
        good(declaration_id="D4", hs_code="999998"),  # rejected: unknown HS code
    ]
    ingest_file(node, OPS, write_csv(rows), format="csv", mapping="borderlink")
    assert summary.busiest_office(node, OPS) == "OF2"
    assert latest_day(node, OPS) == dt.date(2025, 1, 5)
    totals = summary.node_totals(node, OPS)
    assert (totals["declarations"], totals["offices"], totals["open_rejects"]) == (3, 2, 1)
    assert (totals["first_date"], totals["last_date"]) == ("2025-01-02", "2025-01-05")


def test_an_officer_sees_the_busiest_office_of_their_own_scope_only(node: Node) -> None:
    seed_declarations(node, n_per_office=2)
    totals = summary.node_totals(node, OPS)
    assert totals["declarations"] == 4
    assert summary.busiest_office(node, OPS) in {OFFICE_A, OFFICE_B}
    officer = Principal(user_id=2, username="off", role=Role.OFFICER, office_id=OFFICE_B)
    assert summary.busiest_office(node, officer) == OFFICE_B
    with pytest.raises(PermissionDenied):
        summary.node_totals(node, officer)
