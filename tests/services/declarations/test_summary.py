"""The node's totals and the facts the demo's steps start from, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from borderlink.services import Node
from borderlink.services.declarations import summary
from borderlink.services.ingest.files import ingest_file
from tests.factories import good


def test_an_empty_node_has_no_office_no_date_and_zero_totals(node: Node) -> None:
    assert summary.busiest_office(node) is None
    assert summary.last_declared_on(node) is None
    totals = summary.node_totals(node)
    assert totals["declarations"] == totals["goods_items"] == totals["open_rejects"] == 0
    assert totals["first_date"] is totals["last_date"] is None


def test_totals_count_what_was_ingested(node: Node, write_csv: Callable[..., Path]) -> None:
    rows = [
        good(declaration_id="D1", office_id="OF1", declared_on="2025-01-02"),
        good(declaration_id="D2", office_id="OF2", declared_on="2025-01-05"),
        good(declaration_id="D3", office_id="OF2", declared_on="2025-01-03"),
        good(declaration_id="D4", hs_code="999998"),  # rejected: unknown HS code
    ]
    ingest_file(node, write_csv(rows), format="csv", mapping="borderlink", actor="test")
    assert summary.busiest_office(node) == "OF2"
    assert summary.last_declared_on(node) == dt.date(2025, 1, 5)
    totals = summary.node_totals(node)
    assert (totals["declarations"], totals["offices"], totals["open_rejects"]) == (3, 2, 1)
    assert (totals["first_date"], totals["last_date"]) == ("2025-01-02", "2025-01-05")
