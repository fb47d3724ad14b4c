"""The hot pages' queries on a PostgreSQL database of some size (built with ``generate_series``
and ANALYZEd, so the planner chooses as it would in production, sequential scans allowed):
the queue of a day and the dashboard's counts and channels read only the month partitions
they are about, and never scan the whole ``outcomes`` or ``scores`` tables, which are not
partitioned and grow with history. The PostgreSQL tests skip without it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import polars as pl
import pytest
from sqlalchemy import Connection, Engine, Select, event, insert, text

from borderlink.services.accounts.access import Principal, Role
from borderlink.services.declarations.read import DeclarationFilter, counts_query, list_queries
from borderlink.services.risk.targeting import channel_counts_query, queue_query
from borderlink.services.risk.waiting import COLUMNS, waiting_rows
from borderlink.store import bulk, declaration_writes, partitions
from borderlink.store.risk_tables import waiting

pytestmark = pytest.mark.postgres

ADMIN = Principal.system("test")
OFFICER = Principal(user_id=7, username="officer", role=Role.OFFICER, office_id="OF1")
PER_DAY = 150  # declarations a day, over four months: 18k declarations
FIRST, LAST = dt.date(2024, 1, 1), dt.date(2024, 4, 30)
HISTORY = ("outcomes", "scores")
FILLED_MONTHS = {f"declarations_y2024m0{m}" for m in range(1, 5)}

FILL = [
    "INSERT INTO declaration_keys SELECT 'D' || d::date || '-' || n, d::date "
    "FROM generate_series(CAST(:first AS date), CAST(:last AS date), interval '1 day') d, "
    "generate_series(1, :per_day) n",
    "INSERT INTO declarations (declaration_id, declaration_type, declared_on, office_id, "
    "importer_id, created_at) SELECT declaration_id, 'IM', declared_on, 'OF' || (1 + "
    "abs(hashtext(declaration_id)) % 3), 'IMP' || (abs(hashtext(declaration_id)) % 50), now() "
    "FROM declaration_keys",
    # Most of history inspected (the outcome recorded), every declaration scored, a fifth
    # scored again by a newer model.
    "INSERT INTO outcomes (declaration_id, illicit, severity, source, recorded_at) "
    "SELECT declaration_id, random() < 0.1, 0, 'officer', now() FROM declaration_keys "
    "WHERE random() < 0.8",
    "INSERT INTO scores SELECT declaration_id, 'm1', random(), random(), "
    "CASE WHEN random() < 0.1 THEN 'red' WHEN random() < 0.2 THEN 'yellow' ELSE 'green' END, "
    "'risk', NULL, declared_on + time '08:00' FROM declaration_keys",
    "INSERT INTO scores SELECT declaration_id, 'm2', random(), random(), 'red', 'risk', NULL, "
    "declared_on + time '09:00' FROM declaration_keys WHERE random() < 0.2",
]


@pytest.fixture
def sized(postgres_engine: Engine) -> Iterator[Engine]:
    months = [dt.date(2024, m, 1) for m in range(1, 5)]
    with postgres_engine.begin() as conn:
        made = partitions.ensure_months(conn, months)
        params = {"first": FIRST, "last": LAST, "per_day": PER_DAY}
        for sql in FILL:
            conn.execute(text(sql), params)
        # What waits, as the writes of scores and outcomes keep it (and the migration fills it).
        conn.execute(insert(waiting).from_select(COLUMNS, waiting_rows("postgresql")))
    with postgres_engine.connect() as conn:
        conn.exec_driver_sql("ANALYZE")
    yield postgres_engine
    with postgres_engine.begin() as conn:  # the session's database stays as it was
        conn.exec_driver_sql("TRUNCATE declaration_keys, scores, waiting CASCADE")
        for name in made:
            conn.exec_driver_sql(f'DROP TABLE "{name}"')


def _relations(plan: dict[str, Any]) -> Iterator[tuple[str, str]]:
    if "Relation Name" in plan:
        yield plan["Relation Name"], plan["Node Type"]
    for child in plan.get("Plans", []):
        yield from _relations(child)


def _plan(conn: Connection, query: Select[Any]) -> list[tuple[str, str]]:
    compiled = query.compile(conn, compile_kwargs={"render_postcompile": True})
    [document] = conn.exec_driver_sql(
        f"EXPLAIN (FORMAT JSON) {compiled.string}", compiled.params
    ).scalar_one()
    return list(_relations(document["Plan"]))


def _months_read(scans: list[tuple[str, str]]) -> set[str]:
    return {name for name, _ in scans if name.startswith("declarations_y")}


def _history_scanned(scans: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(name, kind) for name, kind in scans if name in HISTORY and kind == "Seq Scan"]


def test_the_queue_of_a_day_reads_its_month_and_no_history(sized: Engine) -> None:
    day = dt.date(2024, 4, 20)
    for principal in (ADMIN, OFFICER):
        with sized.connect() as conn:
            scans = _plan(conn, queue_query(principal, day).limit(200))
        assert _months_read(scans) == {"declarations_y2024m04"}, scans
        assert _history_scanned(scans) == [], scans


def test_the_queue_of_every_one_waiting_scans_no_month_and_no_history(sized: Engine) -> None:
    """Whatever its day: read from ``waiting``, each declaration looked up by its key in its
    month (no partition read whole), no history table scanned."""
    for principal in (ADMIN, OFFICER):
        with sized.connect() as conn:
            scans = _plan(conn, queue_query(principal, None).limit(200))
        # The months with rows (an empty partition's scan reads nothing, however planned).
        filled = [(name, kind) for name, kind in scans if name in FILLED_MONTHS]
        assert {name for name, _ in filled} == FILLED_MONTHS, scans
        assert all(kind != "Seq Scan" for _, kind in filled), scans
        assert _history_scanned(scans) == [], scans


def test_the_dashboard_counts_read_their_window_and_no_history(sized: Engine) -> None:
    until = dt.date(2024, 4, 30)
    since = until - dt.timedelta(days=13)
    for principal in (ADMIN, OFFICER):
        with sized.connect() as conn:
            scans = _plan(conn, counts_query(principal, since=since, until=until))
        assert _months_read(scans) == {"declarations_y2024m04"}, scans
        assert _history_scanned(scans) == [], scans


def test_the_dashboard_channels_of_a_day_read_no_history(sized: Engine) -> None:
    for office in (None, "OF1"):
        with sized.connect() as conn:
            scans = _plan(conn, channel_counts_query(dt.date(2024, 4, 30), office))
        assert _months_read(scans) == {"declarations_y2024m04"}, scans
        assert _history_scanned(scans) == [], scans


ITEMS = (
    # Two items each, of a tenth of the chapters each ("01" to "10"): an HS filter is selective.
    "INSERT INTO goods_items (declaration_id, item_no, hs_code, hs_code_current, hs_edition, "
    "value_reporting, row_hash, declared_on) SELECT declaration_id, n, c, c, 'HS2022', "
    "100.0 * n, 'h', declared_on FROM (SELECT declaration_id, declared_on, n, "
    "lpad(CAST(1 + abs(hashtext(declaration_id || n)) % 10 AS text), 2, '0') || '0121' AS c "
    "FROM declaration_keys, generate_series(1, 2) n) i"
)


def _ran(conn: Connection, query: Select[Any]) -> set[str]:
    """The relations whose plan nodes ran (EXPLAIN ANALYZE: run-time pruning leaves the
    others "never executed")."""
    compiled = query.compile(conn, compile_kwargs={"render_postcompile": True})
    [document] = conn.exec_driver_sql(
        f"EXPLAIN (ANALYZE, FORMAT JSON) {compiled.string}", compiled.params
    ).scalar_one()

    def nodes(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
        yield plan
        for child in plan.get("Plans", []):
            yield from nodes(child)

    return {
        node["Relation Name"]
        for node in nodes(document["Plan"])
        if "Relation Name" in node and node.get("Actual Loops", 0) > 0
    }


def test_the_trader_page_reads_the_items_of_its_window_only(sized: Engine) -> None:
    with sized.begin() as conn:
        conn.execute(text(ITEMS))
    with sized.connect() as conn:
        conn.exec_driver_sql("ANALYZE goods_items")
        importer = conn.execute(
            text("SELECT importer_id FROM declarations WHERE declared_on = :d LIMIT 1"),
            {"d": LAST},
        ).scalar_one()
        for flt in (
            DeclarationFilter(importer_id=importer, declared_from=dt.date(2024, 4, 1)),
            DeclarationFilter(
                importer_id=importer, declared_from=dt.date(2024, 4, 1), hs_prefix="01"
            ),
        ):
            _, page = list_queries(ADMIN, flt)
            read = _ran(conn, page.limit(50))
            # The items of the months whose declarations it reads (the window runs on into
            # the months ahead), not of March and before.
            months = {n.removeprefix("declarations") for n in read if n.startswith("declarations_")}
            items = {n.removeprefix("goods_items") for n in read if n.startswith("goods_items_")}
            assert "_y2024m04" in items, read
            assert items <= months, read
            rows = conn.execute(page.limit(50)).all()
            assert rows
            assert all(r.n_items == 2 for r in rows)
            assert all(r.value_reporting == 300.0 for r in rows)


def test_ingest_finds_a_chunks_stored_items_by_key_not_by_scanning_history(sized: Engine) -> None:
    """A chunk's duplicate check and its insert probe each row's stored day and item by key:
    hashing every stored key and item for each chunk made ingest slow as history grew."""
    with sized.begin() as conn:
        conn.execute(text(ITEMS))
    with sized.connect() as conn:
        conn.exec_driver_sql("ANALYZE")
    # A chunk of 5,000 items: half stored already (a re-sent file), half new.
    stored = (
        "SELECT i.declaration_id, i.item_no + CAST(:shift AS int) AS item_no, i.hs_code, "
        "i.hs_edition, i.row_hash FROM goods_items i JOIN declaration_keys USING "
        "(declaration_id, declared_on) WHERE declared_on >= '2024-02-01' LIMIT 2500"
    )
    columns = ["declaration_id", "item_no", "hs_code", "hs_edition", "row_hash"]
    with sized.connect() as conn:
        frames = [
            pl.DataFrame(
                [tuple(r) for r in conn.execute(text(stored), {"shift": shift})],
                schema=columns,
                orient="row",
            )
            for shift in (0, 10)
        ]
    chunk = pl.concat(frames)
    statements: list[str] = []

    def seen(_c: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if statement.lstrip().upper().startswith(("SELECT", "INSERT INTO GOODS_ITEMS")):
            statements.append(statement)

    with sized.begin() as conn:
        event.listen(conn, "before_cursor_execute", seen)
        staged = bulk.stage(conn, "goods_items", chunk, ["declaration_id", "item_no", "row_hash"])
        duplicates, conflicts = declaration_writes.compare_items(conn, staged)
        inserted = declaration_writes.insert_items(conn, chunk, list(chunk.columns))
        event.remove(conn, "before_cursor_execute", seen)
        assert (duplicates, conflicts.height, inserted) == (2500, 0, 2500)
        assert len(statements) >= 3, statements
        # The months with no rows (those ahead): scanning nothing is no scan of history.
        empty = set(
            conn.execute(
                text("SELECT relname FROM pg_class WHERE relkind = 'r' AND reltuples <= 0")
            ).scalars()
        )
        for statement in statements:
            [document] = conn.exec_driver_sql(f"EXPLAIN (FORMAT JSON) {statement}").scalar_one()
            scans = list(_relations(document["Plan"]))
            scanned = [
                (name, kind)
                for name, kind in scans
                if kind == "Seq Scan"
                and name.startswith(("declaration_keys", "goods_items"))
                and name not in empty
            ]
            assert scanned == [], (statement, scans)
        conn.rollback()
