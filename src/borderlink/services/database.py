"""The node's database as a whole: run the migrations, check them against the code, start over.

What ``borderlink db`` and ``borderlink demo --reset`` do, so the shells never open ``store``.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from borderlink.store import check, open_engine, upgrade
from borderlink.store.schema import metadata


def upgrade_database(url: str) -> str:
    """Run the migrations up to the newest schema; the URL migrated, its password hidden."""
    engine = open_engine(url)
    try:
        upgrade(engine)
        return engine.url.render_as_string(hide_password=True)
    finally:
        engine.dispose()


def check_database(url: str) -> None:
    """Migrate, then raise (Alembic's error) if the tables in code differ from what the
    migrations build."""
    engine = open_engine(url)
    try:
        upgrade(engine)
        check(engine)
    finally:
        engine.dispose()


def close_database(engine: Engine) -> None:
    """Leave a SQLite file whole on its own (its write-ahead log folded back in), so it can be
    copied or opened by another process right away; then let the connections go."""
    try:
        if engine.dialect.name == "sqlite":
            with engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        engine.dispose()


def reset_database(url: str) -> None:
    """Start over: delete a SQLite file, or drop every BorderLink table elsewhere."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{parsed.database}{suffix}").unlink(missing_ok=True)
        return
    engine = open_engine(url)
    try:
        metadata.drop_all(engine)
        with engine.begin() as conn:
            conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
    finally:
        engine.dispose()
