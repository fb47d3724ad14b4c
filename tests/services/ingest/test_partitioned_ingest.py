"""Ingest over monthly partitions (PostgreSQL) and one table (SQLite) stores the same things:
a re-ingest across months stores nothing twice, and a declaration sent again with another day
is refused as a conflicting duplicate, as before the partitioning (its stored day stays)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import func, select, text

from borderlink.services import Node
from borderlink.services.accounts.access import Principal
from borderlink.services.ingest.amend import AmendmentIn
from borderlink.services.ingest.files import ingest_file
from borderlink.services.ingest.versions import amend_declaration
from borderlink.store.tables import declarations, goods_items
from tests.factories import good

WriteCsv = Callable[..., Path]
OPS = Principal.system("test")


def _count(node: Node, table: str, where: str = "") -> int:
    with node.read() as conn:
        query = text(f'SELECT count(*) FROM "{table}" {where}')  # noqa: S608 - the tests' own
        return int(conn.execute(query).scalar_one())


def _two_months() -> list[dict[str, str]]:
    return [
        good(declaration_id="M1", declared_on="2024-03-30", item_no="1"),
        good(declaration_id="M1", declared_on="2024-03-30", item_no="2", value="5"),
        good(declaration_id="A1", declared_on="2024-04-02", item_no="1"),
        good(declaration_id="A2", declared_on="2024-04-30", item_no="1"),
    ]


def test_a_reingest_across_two_months_stores_nothing_twice(node: Node, write_csv: WriteCsv) -> None:
    first = ingest_file(node, OPS, write_csv(_two_months()), chunk_rows=3)
    again = ingest_file(node, OPS, write_csv(_two_months()), chunk_rows=3)
    assert (first.rows, first.accepted, first.duplicates, first.rejected) == (4, 4, 0, 0)
    assert (again.rows, again.accepted, again.duplicates, again.rejected) == (4, 0, 4, 0)
    assert _count(node, "declarations") == 3
    assert _count(node, "goods_items") == 4
    if node.engine.dialect.name == "postgresql":
        assert _count(node, "declaration_keys") == 3
        assert _count(node, "declarations_y2024m03") == 1
        assert _count(node, "declarations_y2024m04") == 2
        assert _count(node, "goods_items_y2024m03") == 2
        assert _count(node, "goods_items_y2024m04") == 2
        assert _count(node, "declarations_default") == 0
        assert _count(node, "goods_items_default") == 0


def test_a_declaration_sent_again_with_another_day_keeps_its_stored_day(
    node: Node, write_csv: WriteCsv
) -> None:
    ingest_file(node, OPS, write_csv([good(declaration_id="MOVE", declared_on="2024-03-15")]))
    moved = [
        good(declaration_id="MOVE", declared_on="2024-05-15", item_no="1"),
        good(declaration_id="MOVE", declared_on="2024-05-15", item_no="2"),  # a new item
    ]
    summary = ingest_file(node, OPS, write_csv(moved))
    # The item already stored is a conflict (its row says another day); the new item joins the
    # declaration as stored, as on one table: one declaration, one day, nothing in May.
    assert summary.errors == {"conflicting_duplicate": 1}
    assert (summary.accepted, summary.rejected) == (1, 1)
    with node.read() as conn:
        days = conn.execute(select(declarations.c.declared_on)).scalars().all()
        items = conn.execute(select(func.count()).select_from(goods_items)).scalar_one()
    assert [dt.date.fromisoformat(str(d)) for d in days] == [dt.date(2024, 3, 15)]
    assert items == 2
    if node.engine.dialect.name == "postgresql":
        assert _count(node, "goods_items_y2024m03") == 2
        assert _count(node, "declarations", "WHERE declared_on >= DATE '2024-05-01'") == 0
        assert _count(node, "goods_items", "WHERE declared_on >= DATE '2024-05-01'") == 0


def test_an_amended_day_moves_the_declaration_and_its_items_to_that_month(
    node: Node, write_csv: WriteCsv
) -> None:
    rows = [good(declaration_id="AM", item_no="1"), good(declaration_id="AM", item_no="2")]
    ingest_file(node, OPS, write_csv(rows))  # 2024-03-01
    change = AmendmentIn(changes={"declared_on": "2024-06-10"}, reason="wrong day")
    assert amend_declaration(node, OPS, "AM", change).version == 2
    with node.read() as conn:
        assert conn.execute(select(declarations.c.declared_on)).scalar_one() == dt.date(2024, 6, 10)
        assert conn.execute(select(func.count()).select_from(goods_items)).scalar_one() == 2
    if node.engine.dialect.name == "postgresql":
        assert _count(node, "declarations_y2024m06") == 1
        assert _count(node, "goods_items_y2024m06") == 2
        assert _count(node, "goods_items_y2024m03") == 0
        assert _count(node, "declaration_keys", "WHERE declared_on = DATE '2024-06-10'") == 1
