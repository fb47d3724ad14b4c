"""The hot pages' queries on PostgreSQL read only the month partitions they are about, through
indexes: the queue of a day, the trader's declarations between two days, the dashboard's counts.

The tables are small here, where a sequential scan is the cheaper plan; sequential scans are
switched off for the EXPLAIN so that the plan shows which indexes can serve the query (on a
large database the planner picks them itself). Partition pruning does not depend on the size."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, Engine, Select

from borderlink.services import Node
from borderlink.services.accounts.access import Principal, Role
from borderlink.services.declarations.read import DeclarationFilter, counts_query, list_queries
from borderlink.services.ingest.files import ingest_file
from borderlink.services.risk.targeting import queue_query
from borderlink.settings import Settings
from tests.factories import csv_writer, good

pytestmark = pytest.mark.postgres

ADMIN = Principal.system("test")
OFFICER = Principal(user_id=7, username="officer", role=Role.OFFICER, office_id="OF1")
INDEXED = {"Index Scan", "Index Only Scan", "Bitmap Heap Scan"}


@pytest.fixture
def pg_node(postgres_engine: Engine, settings: Settings, tmp_path: Path) -> Node:
    node = Node(
        settings=settings.model_copy(update={"db": postgres_engine.url.render_as_string(False)}),
        engine=postgres_engine,
    )
    rows = [
        good(declaration_id=f"{month}-{n}", declared_on=f"2024-{month:02d}-{10 + n}")
        for month in (1, 2, 3)
        for n in range(3)
    ]
    write: Callable[..., Path] = csv_writer(tmp_path)
    ingest_file(node, ADMIN, write(rows))
    with node.transaction() as conn:
        conn.exec_driver_sql(
            "INSERT INTO scores SELECT declaration_id, 'm1', 0.9, 0.9, 'red', 'risk', NULL, now() "
            "FROM declaration_keys"
        )
        conn.exec_driver_sql("ANALYZE")
    return node


Scan = tuple[str, str, str]  # relation, node type, index ("" for none)


def _scans(plan: dict[str, Any]) -> Iterator[Scan]:
    if "Relation Name" in plan:
        yield plan["Relation Name"], plan["Node Type"], plan.get("Index Name", "")
    for child in plan.get("Plans", []):
        yield from _scans(child)


def _plan(conn: Connection, query: Select[Any]) -> list[Scan]:
    compiled = query.compile(conn, compile_kwargs={"render_postcompile": True})
    conn.exec_driver_sql("SET LOCAL enable_seqscan = off")
    found = conn.exec_driver_sql(
        f"EXPLAIN (FORMAT JSON) {compiled.string}", compiled.params
    ).scalar_one()
    document = found if isinstance(found, list) else json.loads(found)
    return list(_scans(document[0]["Plan"]))


def _read(scans: list[Scan], table: str) -> dict[str, str]:
    return {name: kind for name, kind, _ in scans if name.startswith(f"{table}_")}


def test_the_queue_of_a_day_reads_that_month_only_through_indexes(pg_node: Node) -> None:
    day = dt.date(2024, 2, 11)
    for principal in (ADMIN, OFFICER):
        with pg_node.transaction() as conn:
            scans = _plan(conn, queue_query(principal, day))
        read = _read(scans, "declarations")
        assert set(read) == {"declarations_y2024m02"}, scans
        assert set(read.values()) <= INDEXED, scans


def test_the_trader_between_two_days_reads_those_months_only(pg_node: Node) -> None:
    flt = DeclarationFilter(
        importer_id="IMP1", declared_from=dt.date(2024, 2, 1), declared_to=dt.date(2024, 3, 5)
    )
    base, page = list_queries(ADMIN, flt)
    for query in (base, page):
        with pg_node.transaction() as conn:
            scans = _plan(conn, query)
        read = _read(scans, "declarations")
        assert set(read) == {"declarations_y2024m02", "declarations_y2024m03"}, scans
        assert set(read.values()) <= INDEXED, scans
        assert any("importer_id" in index for _, _, index in scans), scans
        # A page's item counts are found by its declarations' ids, never by reading all items.
        assert set(_read(scans, "goods_items").values()) <= INDEXED, scans


def test_the_dashboard_counts_read_the_days_asked_for(pg_node: Node) -> None:
    since, until = dt.date(2024, 3, 1), dt.date(2024, 3, 31)
    for principal in (ADMIN, OFFICER):
        with pg_node.transaction() as conn:
            scans = _plan(conn, counts_query(principal, since=since, until=until))
        read = _read(scans, "declarations")
        assert set(read) == {"declarations_y2024m03"}, scans
        assert set(read.values()) <= INDEXED, scans
