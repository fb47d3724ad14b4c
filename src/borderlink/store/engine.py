"""Opening the node's database: SQLite file by default, PostgreSQL by URL.

Offers :func:`open_engine`, :func:`is_postgres`, :func:`sqlite_file` and :func:`writer_lock`
(batch writers on one SQLite file take turns).
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url

SQLITE_POOL = 40
POSTGRES_POOL = 20
# How long a SQLite writer waits for another's transaction to end before it gives up.
BUSY_TIMEOUT_S = 120
# The execution option saying how a SQLite transaction begins: "IMMEDIATE" for writers.
SQLITE_BEGIN = "borderlink_sqlite_begin"


def open_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine, with the SQLite settings a concurrent, crash-safe node needs.

    Bound parameters never reach a log or an error message (``hide_parameters``): they hold
    password hashes, tokens and party data.
    """
    kwargs.setdefault("hide_parameters", True)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            _private_file(Path(parsed.database))
            # Keep a connection for each of the server's worker threads (anyio's 40): one
            # returned beyond the pool is closed, and reopening it (pragmas, a cold page cache)
            # costs more than the query it was opened for.
            kwargs.setdefault("pool_size", SQLITE_POOL)
            kwargs.setdefault("max_overflow", 10)
        engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_S}, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    # A PostgreSQL connection is a server process: opening one per request under load (what
    # happens past the pool) costs more than the request. Twenty stay open per server process.
    kwargs.setdefault("pool_size", POSTGRES_POOL)
    kwargs.setdefault("max_overflow", 20)
    return create_engine(url, pool_pre_ping=True, **kwargs)


def _private_file(path: Path) -> None:
    """Create the database file (0600) and its folder (0700) if absent: the node's records are
    nobody else's to read. Existing ones keep the permissions their owner gave them."""
    if not path.parent.exists():
        path.parent.mkdir(parents=True, mode=0o700)
    if not path.exists():
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # The driver's own transaction handling off: it would BEGIN (deferred) only before the
    # first write, never before a read; :func:`_sqlite_begin` says how each one begins.
    dbapi_connection.isolation_level = None
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


def _sqlite_begin(conn: Connection) -> None:
    """BEGIN as the connection asks (:data:`SQLITE_BEGIN`): IMMEDIATE for a write transaction,
    which takes the write lock at once, waiting its turn under the busy timeout. A deferred one
    that reads and then writes must turn its read lock into the write lock, and of two doing
    that at once one fails at once with "database is locked" (no timeout helps: a deadlock)."""
    mode = conn.get_execution_options().get(SQLITE_BEGIN, "DEFERRED")
    conn.exec_driver_sql(f"BEGIN {'IMMEDIATE' if mode == 'IMMEDIATE' else 'DEFERRED'}")


def is_postgres(engine: Engine) -> bool:
    return engine.dialect.name == "postgresql"


def sqlite_file(engine: Engine) -> Path | None:
    """The SQLite database file of an engine; ``None`` for PostgreSQL or an in-memory one."""
    if engine.dialect.name != "sqlite":
        return None
    database = engine.url.database
    return Path(database) if database and database != ":memory:" else None


@contextmanager
def writer_lock(engine: Engine) -> Iterator[None]:
    """Hold the one batch-writer lock of a SQLite file while the block runs (other processes'
    and threads' batch writers wait); PostgreSQL orders its writers itself, so there it is a
    no-op.

    A batch transaction reads the stored keys and then writes: on SQLite a second writer's commit
    in between makes the first fail at once with "database is locked" (the busy timeout does not
    cover a read turned write). Taking turns per transaction removes that; a lock held by a
    killed process is released by the kernel.
    """
    path = sqlite_file(engine)
    if path is None:
        yield
        return
    descriptor = os.open(f"{path}.writer-lock", os.O_CREAT | os.O_RDWR, 0o600)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)  # releases the lock
