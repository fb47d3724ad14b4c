"""Migrating, checking and resetting a node's database (SQLite files here; PostgreSQL drops
tables, which the demo's reset test covers)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import create_engine, inspect

from borderlink.services.database import check_database, reset_database, upgrade_database


def test_upgrade_then_check_then_reset_a_sqlite_file(tmp_path: Path) -> None:
    path = tmp_path / "node.db"
    url = f"sqlite:///{path}"
    assert upgrade_database(url) == url
    check_database(url)  # the migrations build what the code declares
    engine = create_engine(url)
    assert "declarations" in inspect(engine).get_table_names()
    engine.dispose()
    reset_database(url)
    assert not path.exists()
