"""Opening the node's database: SQLite file by default, PostgreSQL by URL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

SQLITE_POOL = 40
POSTGRES_POOL = 20


def open_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine, with the SQLite settings a concurrent, crash-safe node needs."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
            # Keep a connection for each of the server's worker threads (anyio's 40): one
            # returned beyond the pool is closed, and reopening it (pragmas, a cold page cache)
            # costs more than the query it was opened for.
            kwargs.setdefault("pool_size", SQLITE_POOL)
            kwargs.setdefault("max_overflow", 10)
        engine = create_engine(url, connect_args={"timeout": 30}, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    # A PostgreSQL connection is a server process: opening one per request under load (what
    # happens past the pool) costs more than the request. Twenty stay open per server process.
    kwargs.setdefault("pool_size", POSTGRES_POOL)
    kwargs.setdefault("max_overflow", 20)
    return create_engine(url, pool_pre_ping=True, **kwargs)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets readers (the web pages) go on while a batch ingests; NORMAL is still crash-safe
    # in WAL mode, only the last commit may be lost on power failure, never half of one.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    # Batch ingest inserts into large B-trees in key order it does not control: a 64 MiB page
    # cache (fixed, whatever the file size) keeps that from thrashing; staging tables live in RAM.
    cursor.execute("PRAGMA cache_size=-65536")
    cursor.execute("PRAGMA temp_store=MEMORY")
    cursor.close()


def is_postgres(engine: Engine) -> bool:
    return engine.dialect.name == "postgresql"
