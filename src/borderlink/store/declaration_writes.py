"""Writes of declarations and their goods items that know the PostgreSQL partitioning.

On SQLite these are :mod:`.bulk`'s merges on the natural keys. On PostgreSQL a declaration id
is unique through ``declaration_keys``, not through the monthly partitions (whose keys include
the day): :func:`insert_headers` inserts the chunk's ids there (``ON CONFLICT DO NOTHING
RETURNING``) and only those new ones into ``declarations``, in one statement, after creating the
months the chunk needs; :func:`insert_items` and :func:`compare_items` find a goods item under
its declaration's stored day, so a re-ingest, even one that says another day, never stores an
item twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import polars as pl
from sqlalchemy import Connection, insert, text

from borderlink.store import bulk, partitions
from borderlink.store.tables import declaration_keys, declarations, goods_items

KEY = ("declaration_id", "item_no")


def _quoted(columns: Sequence[str], prefix: str = "") -> str:
    return ", ".join(f'{prefix}"{c}"' for c in columns)


def insert_headers(conn: Connection, headers: pl.DataFrame, columns: Sequence[str]) -> int:
    """Insert the declarations (one row per id) whose id is new; how many were."""
    if headers.is_empty():
        return 0
    if conn.dialect.name != "postgresql":
        return bulk.insert_frame(conn, "declarations", headers, columns, ["declaration_id"])
    partitions.ensure_months(conn, headers["declared_on"].unique().to_list())
    staged = bulk.stage(conn, "declarations", headers, columns, label="headers")
    sql = (
        "WITH new AS (INSERT INTO declaration_keys (declaration_id, declared_on) "
        f'SELECT declaration_id, declared_on FROM "{staged}" '
        "ON CONFLICT DO NOTHING RETURNING declaration_id) "
        f"INSERT INTO declarations ({_quoted(columns)}) SELECT {_quoted(columns, 's.')} "
        f'FROM "{staged}" s JOIN new USING (declaration_id)'
    )
    return max(conn.execute(text(sql)).rowcount, 0)


# Each staged row finds its stored day, then its stored item, by key: a LATERAL lookup with
# LIMIT (which the planner does not flatten into a join) is a primary-key probe per row, in the
# one month partition of that day. As joins, PostgreSQL hashed the whole of declaration_keys and
# of goods_items for every chunk (a freshly staged table has no statistics): each chunk cost
# in proportion to the history stored, and ingest slowed as the tables grew.
_STORED_DAY = (
    "CROSS JOIN LATERAL (SELECT declared_on FROM declaration_keys "
    "WHERE declaration_id = s.declaration_id LIMIT 1) k"
)


def compare_sql(staged: str, hash_column: str = "row_hash") -> tuple[str, str]:
    """PostgreSQL: the statements counting the staged items stored alike (duplicates) and
    listing the keys of those stored otherwise (conflicts)."""
    stored = (
        f'FROM "{staged}" s {_STORED_DAY} CROSS JOIN LATERAL (SELECT "{hash_column}" AS h '
        "FROM goods_items t WHERE t.declared_on = k.declared_on "
        "AND t.declaration_id = s.declaration_id AND t.item_no = s.item_no LIMIT 1) t"
    )
    same = f's."{hash_column}" = t.h'
    return (
        f"SELECT count(*) {stored} WHERE {same}",
        f"SELECT s.declaration_id, s.item_no {stored} WHERE NOT ({same})",
    )


def compare_items(
    conn: Connection, staged: str, hash_column: str = "row_hash"
) -> tuple[int, pl.DataFrame]:
    """Staged goods items (key and hash) already stored: how many are the same (duplicates),
    and the keys of those whose content differs (conflicts)."""
    if conn.dialect.name != "postgresql":
        return bulk.compare(conn, staged, "goods_items", KEY, hash_column)
    count, differing = compare_sql(staged, hash_column)
    duplicates = conn.execute(text(count)).scalar_one()
    rows = conn.execute(text(differing)).all()
    conflicts = pl.DataFrame(
        [tuple(row) for row in rows], schema=list(KEY), orient="row", infer_schema_length=None
    )
    return int(duplicates), conflicts


def insert_items_sql(staged: str, columns: Sequence[str]) -> str:
    """PostgreSQL: the statement inserting the staged items under their declarations' days."""
    return (
        f"INSERT INTO goods_items (declared_on, {_quoted(columns)}) "
        f'SELECT k.declared_on, {_quoted(columns, "s.")} FROM "{staged}" s {_STORED_DAY} '
        "WHERE true ON CONFLICT (declaration_id, item_no, declared_on) DO NOTHING"
    )


def insert_items(conn: Connection, items: pl.DataFrame, columns: Sequence[str]) -> int:
    """Insert the goods items whose key is new, each under its declaration's stored day (on
    PostgreSQL); how many were. Their declarations are stored already."""
    if items.is_empty():
        return 0
    if conn.dialect.name != "postgresql":
        return bulk.insert_frame(conn, "goods_items", items, columns, KEY)
    staged = bulk.stage(conn, "goods_items", items, columns, label="items")
    return max(conn.execute(text(insert_items_sql(staged, columns))).rowcount, 0)


def insert_rows(
    conn: Connection,
    headers: Sequence[dict[str, Any]],
    items: Sequence[dict[str, Any]] = (),
) -> None:
    """Insert declarations and goods items given as rows (dicts), as ``insert(declarations)``
    and ``insert(goods_items)`` would on one table: a stored id is an error. For seeding
    (demos, benchmarks, tests); ingest goes through :func:`insert_headers`."""
    if conn.dialect.name == "postgresql" and headers:
        keys = [
            {"declaration_id": h["declaration_id"], "declared_on": h["declared_on"]}
            for h in headers
        ]
        partitions.ensure_months(conn, [k["declared_on"] for k in keys])
        conn.execute(insert(declaration_keys), keys)
    if headers:
        conn.execute(insert(declarations), list(headers))
    if not items:
        return
    if conn.dialect.name != "postgresql":
        conn.execute(insert(goods_items), list(items))
        return
    columns = list(dict.fromkeys(c for item in items for c in item))
    frame = pl.DataFrame(
        [{c: item.get(c) for c in columns} for item in items], infer_schema_length=None
    )
    staged = bulk.stage(conn, "goods_items", frame, columns, label="rows")
    sql = (
        f"INSERT INTO goods_items (declared_on, {_quoted(columns)}) "
        f'SELECT k.declared_on, {_quoted(columns, "s.")} FROM "{staged}" s '
        "JOIN declaration_keys k USING (declaration_id)"
    )
    conn.execute(text(sql))


__all__ = [
    "compare_items",
    "compare_sql",
    "insert_headers",
    "insert_items",
    "insert_items_sql",
    "insert_rows",
]
