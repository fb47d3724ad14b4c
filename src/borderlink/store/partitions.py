"""Monthly partitions of declarations and goods items (PostgreSQL; SQLite has none).

``declarations`` and ``goods_items`` are partitioned by RANGE on ``declared_on``, one partition a
month (``declarations_y2026m01`` holds January 2026), plus a default partition
(``declarations_default``) for a day whose month has none yet, so no write ever fails for want of
a partition. :func:`ensure_months` creates the months asked for, moving any rows the default
partition holds for them into the new partition; it is idempotent and takes a transaction-level
advisory lock, so two writers creating the same month wait for each other. On SQLite every
function here does nothing.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Boolean, ColumnElement, Connection, Date, literal, text, true
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.visitors import InternalTraversal

PARTITIONED = ("declarations", "goods_items")
# Columns that exist for the partitioning alone (not in the metadata): (table, column).
PARTITION_KEYS = frozenset({("goods_items", "declared_on")})
_NAME = re.compile(rf"^({'|'.join(PARTITIONED)})_(y\d{{4}}m\d{{2}}|default)$")
_LOCK = 0x626C5F70  # pg_advisory_xact_lock key: "bl_p"


class ItemsOfDay(ColumnElement[bool]):
    """``goods_items.declared_on <comparison> day`` on PostgreSQL, ``true`` elsewhere: said with the
    lookup of a declaration's goods items by its id, the items of its own month partition are
    read, not every month's index (``goods_items.declared_on`` is no column of the metadata)."""

    type = Boolean()
    inherit_cache = True
    _traverse_internals = [  # noqa: RUF012
        ("day", InternalTraversal.dp_clauseelement),
        ("comparison", InternalTraversal.dp_string),
    ]

    def __init__(self, day: ColumnElement[Any], comparison: str = "=") -> None:
        if comparison not in ("=", ">=", "<="):
            raise ValueError(f"no comparison {comparison!r}")
        self.day = day
        self.comparison = comparison


@compiles(ItemsOfDay)
def _items_of_day(element: ItemsOfDay, compiler: Any, **kw: Any) -> str:
    return str(compiler.process(true(), **kw))


@compiles(ItemsOfDay, "postgresql")
def _items_of_day_postgresql(element: ItemsOfDay, compiler: Any, **kw: Any) -> str:
    return f"goods_items.declared_on {element.comparison} {compiler.process(element.day, **kw)}"


def items_of_day(day: ColumnElement[Any]) -> ColumnElement[bool]:
    """A condition for a query of ``goods_items`` (unaliased): its rows are of ``day``'s
    partition (PostgreSQL), or ``true`` (SQLite)."""
    return ItemsOfDay(day)


def items_from(day: dt.date) -> ColumnElement[bool]:
    """Goods items of ``day`` or later (PostgreSQL: the months before are not read)."""
    return ItemsOfDay(literal(day, Date()), ">=")


def items_until(day: dt.date) -> ColumnElement[bool]:
    """Goods items of ``day`` or before (PostgreSQL: the months after are not read)."""
    return ItemsOfDay(literal(day, Date()), "<=")


def is_partition(name: str) -> bool:
    """Whether ``name`` is the name of one of the partitions made here."""
    return _NAME.match(name) is not None


def month_of(day: dt.date) -> dt.date:
    return day.replace(day=1)


def next_month(month: dt.date) -> dt.date:
    return dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)


def months_ahead(today: dt.date, ahead: int) -> list[dt.date]:
    """This month and the ``ahead`` months after it."""
    months = [month_of(today)]
    for _ in range(ahead):
        months.append(next_month(months[-1]))
    return months


def partition_name(table: str, month: dt.date) -> str:
    return f"{table}_y{month.year:04d}m{month.month:02d}"


def existing(conn: Connection) -> set[str]:
    """The partitions of the partitioned tables, by name (empty where none are partitioned)."""
    if conn.dialect.name != "postgresql":
        return set()
    rows = conn.execute(
        text(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent IN (SELECT to_regclass(t) FROM unnest(CAST(:tables AS text[])) t)"
        ),
        {"tables": list(PARTITIONED)},
    ).scalars()
    return set(rows)


def ensure_months(conn: Connection, days: Iterable[dt.date]) -> list[str]:
    """Create the monthly partitions of ``days``' months that do not exist yet; their names.

    Rows the default partition holds for such a month move into the new partition, in the
    caller's transaction."""
    if conn.dialect.name != "postgresql":
        return []
    months = sorted({month_of(day) for day in days})
    have = existing(conn)
    wanted = [m for m in months if any(partition_name(t, m) not in have for t in PARTITIONED)]
    if not wanted:
        return []
    conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK})
    have = existing(conn)  # another writer may have made them while this one waited
    created = []
    for month in wanted:
        for table in PARTITIONED:
            name = partition_name(table, month)
            if name not in have:
                _create(conn, table, name, month, f"{table}_default" in have)
                created.append(name)
    return created


def _create(conn: Connection, table: str, name: str, month: dt.date, has_default: bool) -> None:
    # Names come from PARTITIONED and a date; bounds are dates rendered by us.
    low, high = month.isoformat(), next_month(month).isoformat()
    within = f"declared_on >= DATE '{low}' AND declared_on < DATE '{high}'"
    moved = False
    if has_default:
        default = f"{table}_default"
        if conn.execute(text(f'SELECT EXISTS (SELECT 1 FROM "{default}" WHERE {within})')).scalar():
            conn.execute(
                text(
                    f'CREATE TEMP TABLE "_moving_{table}" ON COMMIT DROP AS '
                    f'WITH m AS (DELETE FROM "{default}" WHERE {within} RETURNING *) '
                    "SELECT * FROM m"
                )
            )
            moved = True
    conn.execute(
        text(
            f'CREATE TABLE IF NOT EXISTS "{name}" PARTITION OF "{table}" '
            f"FOR VALUES FROM ('{low}') TO ('{high}')"
        )
    )
    if moved:
        conn.execute(text(f'INSERT INTO "{table}" SELECT * FROM "_moving_{table}"'))
        conn.execute(text(f'DROP TABLE "_moving_{table}"'))


def create_default(conn: Connection) -> None:
    """The default partitions, which take the days of a month without its own partition."""
    for table in PARTITIONED:
        conn.execute(
            text(f'CREATE TABLE IF NOT EXISTS "{table}_default" PARTITION OF "{table}" DEFAULT')
        )


__all__ = [
    "PARTITIONED",
    "PARTITION_KEYS",
    "create_default",
    "ensure_months",
    "existing",
    "is_partition",
    "month_of",
    "months_ahead",
    "next_month",
    "partition_name",
]
