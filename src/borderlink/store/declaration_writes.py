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

import polars as pl
from sqlalchemy import Connection, text

from borderlink.store import bulk, partitions

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


def compare_items(
    conn: Connection, staged: str, hash_column: str = "row_hash"
) -> tuple[int, pl.DataFrame]:
    """Staged goods items (key and hash) already stored: how many are the same (duplicates),
    and the keys of those whose content differs (conflicts)."""
    if conn.dialect.name != "postgresql":
        return bulk.compare(conn, staged, "goods_items", KEY, hash_column)
    join = (
        f'FROM "{staged}" s JOIN declaration_keys k USING (declaration_id) '
        "JOIN goods_items t ON t.declared_on = k.declared_on "
        "AND t.declaration_id = s.declaration_id AND t.item_no = s.item_no"
    )
    same = f's."{hash_column}" = t."{hash_column}"'
    duplicates = conn.execute(text(f"SELECT count(*) {join} WHERE {same}")).scalar_one()
    rows = conn.execute(text(f"SELECT s.declaration_id, s.item_no {join} WHERE NOT ({same})")).all()
    conflicts = pl.DataFrame(
        [tuple(row) for row in rows], schema=list(KEY), orient="row", infer_schema_length=None
    )
    return int(duplicates), conflicts


def insert_items(conn: Connection, items: pl.DataFrame, columns: Sequence[str]) -> int:
    """Insert the goods items whose key is new, each under its declaration's stored day (on
    PostgreSQL); how many were. Their declarations are stored already."""
    if items.is_empty():
        return 0
    if conn.dialect.name != "postgresql":
        return bulk.insert_frame(conn, "goods_items", items, columns, KEY)
    staged = bulk.stage(conn, "goods_items", items, columns, label="items")
    sql = (
        f"INSERT INTO goods_items (declared_on, {_quoted(columns)}) "
        f'SELECT k.declared_on, {_quoted(columns, "s.")} FROM "{staged}" s '
        "JOIN declaration_keys k USING (declaration_id) WHERE true "
        "ON CONFLICT (declaration_id, item_no, declared_on) DO NOTHING"
    )
    return max(conn.execute(text(sql)).rowcount, 0)


__all__ = ["compare_items", "insert_headers", "insert_items"]
