"""The hot pages' queries on a national-size PostgreSQL database built by the benchmark: each
reads only the month partitions it is about, by index, and never scans a history table.

Opt-in: it runs against the database that ``BORDERLINK_SCALE_DB`` names, built by

    python benchmarks/ingest.py --backends postgres --items 10000000 --scores --keep

(the URL it keeps is in its last line, ``"postgres": {"kept": URL}``); without the variable it
skips. It reads and EXPLAIN ANALYZEs only (nothing is written), with the functions the pages
call: the queue of a day and of every declaration still waiting, a day's channels, the
dashboard's counts over 14 days, a trader's declarations over 30 days. A relation counts as
read where its plan node ran (run-time pruning leaves the others "never executed"). The
plans and their times are printed (``pytest -s``)."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Connection, Engine, Select, create_engine, text

from borderlink.services.accounts.access import Principal, Role
from borderlink.services.declarations.read import DeclarationFilter, counts_query, list_queries
from borderlink.services.risk.targeting import channel_counts_query, queue_query

SCALE_DB = os.environ.get("BORDERLINK_SCALE_DB")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.postgres,
    pytest.mark.skipif(
        not SCALE_DB,
        reason="BORDERLINK_SCALE_DB names no database built by benchmarks/ingest.py "
        "(--backends postgres --items 10000000 --scores --keep prints its URL)",
    ),
]

ADMIN = Principal.system("test")
HISTORY = ("declarations", "goods_items", "scores", "outcomes", "declaration_keys")
MIN_DECLARATIONS = 500_000  # smaller, and the plans would say little of national sizes


@pytest.fixture(scope="module")
def scale() -> Iterator[Engine]:
    assert SCALE_DB
    engine = create_engine(SCALE_DB)
    with engine.connect() as conn:
        built = conn.execute(text("SELECT to_regclass('declaration_keys') IS NOT NULL")).scalar()
        if not built:
            pytest.fail(f"{engine.url.database} is no partitioned BorderLink database")
        # The planner's count, not count(*) over ten million rows.
        declarations = conn.execute(
            text("SELECT reltuples FROM pg_class WHERE relname = 'declaration_keys'")
        ).scalar_one()
        scored = conn.execute(text("SELECT EXISTS (SELECT FROM scores)")).scalar_one()
    if declarations < MIN_DECLARATIONS or not scored:
        pytest.fail(
            f"{engine.url.database}: {declarations:,.0f} declarations, scores: {scored}; "
            "build it with benchmarks/ingest.py --items 10000000 --scores --keep"
        )
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def facts(scale: Engine) -> dict[str, Any]:
    """The newest day, its busiest office and one of its importers (the pages' usual view)."""
    with scale.connect() as conn:
        day = conn.execute(text("SELECT max(declared_on) FROM declaration_keys")).scalar_one()
        office, importer = conn.execute(
            text(
                "SELECT office_id, min(importer_id) FROM declarations WHERE declared_on = :d "
                "GROUP BY office_id ORDER BY count(*) DESC LIMIT 1"
            ),
            {"d": day},
        ).one()
    return {"day": day, "office": office, "importer": importer}


def _officer(office: str) -> Principal:
    return Principal(user_id=7, username="officer", role=Role.OFFICER, office_id=office)


def _nodes(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield plan
    for child in plan.get("Plans", []):
        yield from _nodes(child)


def _explain(conn: Connection, name: str, query: Select[Any]) -> list[tuple[str, str]]:
    """(relation, how) of each plan node that ran; prints the plan's figures."""
    compiled = query.compile(conn, compile_kwargs={"render_postcompile": True})
    [document] = conn.exec_driver_sql(
        f"EXPLAIN (ANALYZE, FORMAT JSON) {compiled.string}", compiled.params
    ).scalar_one()
    ran = [
        (node["Relation Name"], node["Node Type"])
        for node in _nodes(document["Plan"])
        if "Relation Name" in node and node.get("Actual Loops", 0) > 0
    ]
    print(f"\n{name}: {document['Execution Time']:.1f} ms; read {sorted(set(ran))}")
    return ran


def _history_scanned(ran: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Sequential scans of a history table or of any of its partitions."""
    return [
        (name, how)
        for name, how in ran
        if how == "Seq Scan" and any(name == t or name.startswith(f"{t}_") for t in HISTORY)
    ]


def _months(ran: list[tuple[str, str]], table: str) -> set[str]:
    return {name for name, _ in ran if name.startswith(f"{table}_")}


def _partition(day: dt.date) -> str:
    return f"y{day.year}m{day.month:02d}"


def _window(since: dt.date, until: dt.date, table: str) -> set[str]:
    found, day = set(), since
    while day <= until:
        found.add(f"{table}_{_partition(day)}")
        day += dt.timedelta(days=1)
    return found


def test_the_queue_of_a_day(scale: Engine, facts: dict[str, Any]) -> None:
    day = facts["day"]
    for principal in (ADMIN, _officer(facts["office"])):
        with scale.connect() as conn:
            ran = _explain(
                conn,
                f"queue of {day} ({principal.username})",
                queue_query(principal, day).limit(100),
            )
        assert _months(ran, "declarations") == _window(day, day, "declarations"), ran
        assert _history_scanned(ran) == [], ran


def test_the_queue_of_every_waiting_declaration(scale: Engine, facts: dict[str, Any]) -> None:
    for principal in (ADMIN, _officer(facts["office"])):
        with scale.connect() as conn:
            ran = _explain(
                conn,
                f"queue, waiting ({principal.username})",
                queue_query(principal, None).limit(100),
            )
        # Read from ``waiting`` (kept by the writes of scores and outcomes), each declaration
        # by its key in its month.
        assert _history_scanned(ran) == [], ran


def test_the_channels_of_a_day(scale: Engine, facts: dict[str, Any]) -> None:
    day = facts["day"]
    for office in (None, facts["office"]):
        with scale.connect() as conn:
            ran = _explain(conn, f"channels of {day} ({office})", channel_counts_query(day, office))
        assert _months(ran, "declarations") == _window(day, day, "declarations"), ran
        assert _history_scanned(ran) == [], ran


def test_the_dashboard_counts_over_14_days(scale: Engine, facts: dict[str, Any]) -> None:
    until = facts["day"]
    since = until - dt.timedelta(days=13)
    for principal in (ADMIN, _officer(facts["office"])):
        with scale.connect() as conn:
            ran = _explain(
                conn,
                f"dashboard {since}..{until} ({principal.username})",
                counts_query(principal, since=since, until=until),
            )
        assert _months(ran, "declarations") == _window(since, until, "declarations"), ran
        assert _history_scanned(ran) == [], ran


def test_a_traders_declarations_over_30_days(scale: Engine, facts: dict[str, Any]) -> None:
    until = facts["day"]
    since = until - dt.timedelta(days=30)
    trader = DeclarationFilter(
        importer_id=facts["importer"], declared_from=since, declared_to=until
    )
    count, page = list_queries(ADMIN, trader)
    for name, query in (("count", count), ("page", page.limit(50))):
        with scale.connect() as conn:
            ran = _explain(conn, f"trader {facts['importer']} {since}..{until}: {name}", query)
        window = _window(since, until, "declarations")
        assert _months(ran, "declarations") <= window, ran
        assert _months(ran, "goods_items") <= _window(since, until, "goods_items"), ran
        assert _history_scanned(ran) == [], ran
