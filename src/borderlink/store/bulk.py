"""Bulk writes for batch work: stage a Polars frame in a temporary table, then merge it in SQL.

SQLite stages with ``executemany``, PostgreSQL with ``COPY``; the merge is one
``INSERT ... SELECT ... ON CONFLICT DO NOTHING`` on the natural key, so writes are idempotent and a
chunk commits whole or not at all with the caller's transaction.

Offers :func:`stage`, :func:`merge`, :func:`compare`, :func:`insert_frame` (new keys only),
:func:`upsert` (new keys inserted, changed rows updated), :func:`insert_ignore` (rows as dicts),
:func:`insert_values` (driver-ready tuples, for hot appends), :func:`insert_dicts` and
:func:`now`.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from typing import Any

import polars as pl
from sqlalchemy import Connection, Table, text
from sqlalchemy.dialects import postgresql, sqlite

from borderlink.errors import ConfigurationError

UPSERT_CHUNK_ROWS = 100_000


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


def upsert(
    conn: Connection,
    table: Table,
    frame: pl.DataFrame,
    *,
    keep_when_null: Sequence[str] = (),
    chunk_rows: int = UPSERT_CHUNK_ROWS,
) -> int:
    """Insert ``frame``'s rows, updating the stored row of the same primary key where a value
    differs; a null in a ``keep_when_null`` column leaves the stored value as it is. Rows are
    staged ``chunk_rows`` at a time, so a large frame never needs one huge temporary table.
    Returns the rows inserted or changed (an unchanged row is not written again)."""
    if frame.is_empty():
        return 0
    if conn.dialect.name not in ("postgresql", "sqlite"):
        raise ConfigurationError(
            f"bulk upserts support SQLite and PostgreSQL, not {conn.dialect.name}"
        )
    if chunk_rows < 1:
        raise ValueError("chunk_rows must be at least 1")
    columns = [c.name for c in table.columns]
    keys = [c.name for c in table.primary_key.columns]
    distinct = "IS DISTINCT FROM" if conn.dialect.name == "postgresql" else "IS NOT"
    new = {
        name: (
            f'COALESCE(excluded."{name}", "{table.name}"."{name}")'
            if name in keep_when_null
            else f'excluded."{name}"'
        )
        for name in columns
        if name not in keys
    }
    update = ", ".join(f'"{name}" = {value}' for name, value in new.items())
    changed = " OR ".join(
        f'"{table.name}"."{name}" {distinct} {value}' for name, value in new.items()
    )
    action = f"DO UPDATE SET {update} WHERE {changed}" if new else "DO NOTHING"
    written = 0
    for chunk in frame.select(columns).iter_slices(chunk_rows):
        staged = stage(conn, table.name, chunk, columns, label="upsert")
        # Names come from our table metadata; the values travel staged, never inside the SQL.
        sql = f'INSERT INTO "{table.name}" ({_quoted(columns)}) '
        sql += f'SELECT {_quoted(columns)} FROM "{staged}" WHERE true '
        sql += f"ON CONFLICT ({_quoted(keys)}) {action}"
        written += max(conn.execute(text(sql)).rowcount, 0)
    return written


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


def insert_values(
    conn: Connection,
    table: Table,
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    ignore_on: Sequence[str] = (),
) -> None:
    """Insert ``rows`` (tuples in ``columns`` order) in one driver ``executemany``; with
    ``ignore_on`` (a unique key), a row whose key is stored already is skipped.

    For hot appends (the verifiable log, a single score's rows): SQLAlchemy's per-row parameter
    processing cost more than the insert itself, and for a few rows so does staging a frame
    (:func:`insert_frame`). The values must already be in the driver's form: JSON as text,
    times through :func:`driver_value`, bytes as bytes.
    """
    if not rows:
        return
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    sql = (
        f'INSERT INTO "{table.name}" ({_quoted(columns)}) '
        f"VALUES ({', '.join([mark] * len(columns))})"
    )
    if ignore_on:
        sql += f" ON CONFLICT ({_quoted(ignore_on)}) DO NOTHING"
    conn.exec_driver_sql(sql, list(rows))


def insert_dicts(conn: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert ``rows`` (dicts with the same keys, no column left to a default) like
    ``conn.execute(insert(table), rows)``, each value converted by its column's type, but in one
    driver ``executemany``: SQLAlchemy's per-row parameter handling cost more than the insert."""
    if not rows:
        return
    columns = list(rows[0])
    dialect = conn.dialect
    converted = []
    # Column by column (a map per column is cheaper than a generator per row), and a value
    # that is the same object in every row (a batch's one timestamp) is converted once.
    for c in columns:
        process = table.c[c].type.dialect_impl(dialect).bind_processor(dialect)
        values = [row[c] for row in rows]
        if process is None:
            converted.append(values)
        elif all(v is values[0] for v in values):
            converted.append([process(values[0])] * len(values))
        else:
            converted.append(list(map(process, values)))
    insert_values(conn, table, columns, list(zip(*converted, strict=True)))


def driver_value(conn: Connection, table: Table, column: str, value: Any) -> Any:
    """``value`` as the driver receives it for ``table.column`` (e.g. a time on SQLite)."""
    process = table.c[column].type.dialect_impl(conn.dialect).bind_processor(conn.dialect)
    return process(value) if process else value
