"""0013: the unique index on lower(username); an upgrade over case twins fails saying which."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, insert, text

from borderlink.store import upgrade
from borderlink.store.accounts_tables import users

ROW = {"password_hash": "x", "role": "auditor", "active": True}


@pytest.fixture
def old(tmp_path: Path) -> Iterator[Engine]:
    engine = create_engine(f"sqlite:///{tmp_path / 'old.db'}")
    upgrade(engine, "0012_access")
    yield engine
    engine.dispose()


def _add(engine: Engine, *names: str) -> None:
    at = dt.datetime.now(dt.UTC)
    with engine.begin() as conn:
        conn.execute(insert(users), [{"username": n, "created_at": at, **ROW} for n in names])


def test_case_twins_stop_the_upgrade_naming_them(old: Engine) -> None:
    _add(old, "Dave", "dave", "erin")
    with pytest.raises(RuntimeError, match=r"'dave' \(2 accounts\)"):
        upgrade(old)


def test_distinct_names_get_the_index(old: Engine) -> None:
    _add(old, "Dave", "erin")
    upgrade(old)
    with old.connect() as conn:  # SQLAlchemy does not reflect expression indexes on SQLite
        sql = conn.execute(
            text("SELECT sql FROM sqlite_master WHERE name = 'uq_users_username_lower'")
        ).scalar_one()
    assert "lower(username)" in sql
