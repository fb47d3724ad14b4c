"""Bulk writes for batch work: stage a Polars frame in a temporary table, then merge it in SQL.

SQLite stages with ``executemany``, PostgreSQL with ``COPY``; the merge is one
``INSERT ... SELECT ... ON CONFLICT DO NOTHING`` on the natural key, so writes are idempotent and a
chunk commits whole or not at all with the caller's transaction.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from typing import Any

import polars as pl
from sqlalchemy import Connection, text
from sqlalchemy.dialects import postgresql, sqlite


def _quoted(columns: Sequence[str]) -> str:
    return ", ".join(f'"{c}"' for c in columns)


def stage(
    conn: Connection,
    target: str,
    frame: pl.DataFrame,
    columns: Sequence[str],
    label: str = "rows",
) -> str:
    """Load ``frame[columns]`` into an empty temporary copy of ``target``'s columns; its name.

    ``label`` tells apart stagings of different column sets for the same table in a session.
    """
    name = f"_stage_{target}_{label}"
    cols = _quoted(columns)
    if conn.dialect.name == "postgresql":
        # A fresh table per transaction (dropped at commit) is cheaper than TRUNCATE's new file.
        conn.execute(text(f'DROP TABLE IF EXISTS "{name}"'))
        conn.execute(
            text(
                f'CREATE TEMP TABLE "{name}" ON COMMIT DROP AS '
                f'SELECT {cols} FROM "{target}" WITH NO DATA'
            )
        )
        _copy_postgres(conn, name, frame.select(columns))
    else:
        conn.execute(
            text(
                f'CREATE TEMP TABLE IF NOT EXISTS "{name}" AS SELECT {cols} FROM "{target}" WHERE 0'
            )
        )
        conn.execute(text(f'DELETE FROM "{name}"'))
        _insert_sqlite(conn, name, frame.select(columns))
    return name


def merge(
    conn: Connection, staged: str, target: str, columns: Sequence[str], key: Sequence[str]
) -> int:
    """Insert staged rows whose key is new; returns how many were inserted."""
    cols = _quoted(columns)
    result = conn.execute(
        text(
            f'INSERT INTO "{target}" ({cols}) SELECT {cols} FROM "{staged}" WHERE true '
            f"ON CONFLICT ({_quoted(key)}) DO NOTHING"
        )
    )
    return max(result.rowcount, 0)


def compare(
    conn: Connection, staged: str, target: str, key: Sequence[str], hash_column: str
) -> tuple[int, pl.DataFrame]:
    """Staged rows whose key is already stored: how many have the same content hash (true
    duplicates), and the keys of those whose content differs (conflicts)."""
    on = " AND ".join(f't."{k}" = s."{k}"' for k in key)
    same = f's."{hash_column}" = t."{hash_column}"'
    join = f'FROM "{staged}" s JOIN "{target}" t ON {on}'
    duplicates = conn.execute(text(f"SELECT count(*) {join} WHERE {same}")).scalar_one()
    rows = conn.execute(
        text(f"SELECT {', '.join(f's.{k}' for k in key)} {join} WHERE NOT ({same})")
    ).all()
    conflicts = pl.DataFrame(
        [tuple(row) for row in rows], schema=list(key), orient="row", infer_schema_length=None
    )
    return int(duplicates), conflicts


def insert_frame(
    conn: Connection, target: str, frame: pl.DataFrame, columns: Sequence[str], key: Sequence[str]
) -> int:
    """Insert a frame's rows whose key is new; returns how many were inserted.

    SQLite inserts straight from the frame (no staging copy); PostgreSQL COPYs into a staging
    table and merges, since row-by-row inserts over the network would be far slower.
    """
    if frame.is_empty():
        return 0
    if conn.dialect.name == "postgresql":
        return merge(conn, stage(conn, target, frame, columns), target, columns, key)
    marks = ", ".join("?" for _ in columns)
    raw: Any = conn.connection.driver_connection
    before = raw.total_changes
    cursor = raw.cursor()
    try:
        cursor.executemany(
            f'INSERT INTO "{target}" ({_quoted(columns)}) VALUES ({marks}) '
            f"ON CONFLICT ({_quoted(key)}) DO NOTHING",
            _sqlite_value_frame(frame.select(columns)).iter_rows(),
        )
    finally:
        cursor.close()
    return int(raw.total_changes - before)


def _sqlite_value_frame(frame: pl.DataFrame) -> pl.DataFrame:
    """Types SQLite's driver takes as they are, in the text forms SQLAlchemy reads back."""
    conversions: list[pl.Expr] = []
    for name, dtype in frame.schema.items():
        if dtype == pl.Date:
            conversions.append(pl.col(name).dt.strftime("%Y-%m-%d"))
        elif isinstance(dtype, pl.Datetime):
            conversions.append(pl.col(name).dt.strftime("%Y-%m-%d %H:%M:%S.%6f"))
        elif dtype == pl.Boolean:
            conversions.append(pl.col(name).cast(pl.Int8))
    return frame.with_columns(conversions) if conversions else frame


def _insert_sqlite(conn: Connection, name: str, frame: pl.DataFrame) -> None:
    if frame.is_empty():
        return
    marks = ", ".join("?" for _ in frame.columns)
    raw: Any = conn.connection.driver_connection
    cursor = raw.cursor()
    try:
        cursor.executemany(
            f'INSERT INTO "{name}" ({_quoted(frame.columns)}) VALUES ({marks})',
            _sqlite_value_frame(frame).iter_rows(),
        )
    finally:
        cursor.close()


def _copy_postgres(conn: Connection, name: str, frame: pl.DataFrame) -> None:
    if frame.is_empty():
        return
    buffer = io.BytesIO()
    # Nulls as \N keep empty strings distinct from missing values.
    frame.write_csv(buffer, include_header=False, null_value="\\N")
    raw: Any = conn.connection.driver_connection
    with raw.cursor() as cursor:
        sql = f"COPY \"{name}\" ({_quoted(frame.columns)}) FROM STDIN WITH (FORMAT csv, NULL '\\N')"
        with cursor.copy(sql) as copy:
            copy.write(buffer.getvalue())


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def insert_ignore(
    conn: Connection, table: Any, rows: Sequence[dict[str, Any]], key: Sequence[str] | None = None
) -> None:
    """Insert rows whose natural key is new (dialect-specific ON CONFLICT DO NOTHING); without
    ``key``, a conflict on any unique constraint skips the row.

    It says nothing of how many were new: for a many-row insert the drivers do not report that
    number reliably (psycopg has said 0 for rows it inserted), and RETURNING would cost a row
    back per row written.
    A caller that needs the count adds RETURNING itself (as routing does)."""
    if not rows:
        return
    elements = list(key) if key else None
    statement: Any
    if conn.dialect.name == "postgresql":
        statement = postgresql.insert(table).on_conflict_do_nothing(index_elements=elements)
    else:
        statement = sqlite.insert(table).on_conflict_do_nothing(index_elements=elements)
    conn.execute(statement, list(rows))
