"""Opening the database: no bound parameter in an error, a private SQLite file, writers in turn."""

from __future__ import annotations

import datetime as dt
import stat
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import Engine, insert
from sqlalchemy.exc import IntegrityError

from borderlink.store import open_engine
from borderlink.store.engine import sqlite_file, writer_lock
from borderlink.store.tables import ingest_batches

SECRET = "$argon2id$v=19$m=65536,t=3,p=4$c2VjcmV0$aGFzaA"


def test_an_error_never_shows_the_bound_parameters(engine: Engine) -> None:
    row = {
        "batch_id": "b1",
        "source": SECRET,
        "source_sha256": "0" * 64,
        "format": "csv",
        "status": "running",
        "started_at": dt.datetime.now(dt.UTC),
    }
    with engine.begin() as conn:
        conn.execute(insert(ingest_batches).values(**row))
    with pytest.raises(IntegrityError) as raised, engine.begin() as conn:
        conn.execute(insert(ingest_batches).values(**row))  # the same key again
    assert SECRET not in str(raised.value)
    assert "hidden due to hide_parameters" in str(raised.value)


def test_a_new_sqlite_file_and_its_folder_are_private(tmp_path: Path) -> None:
    path = tmp_path / "data" / "node.db"
    engine = open_engine(f"sqlite:///{path}")
    with engine.connect() as conn:
        conn.exec_driver_sql("CREATE TABLE t (x)")
        conn.commit()
    engine.dispose()
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_batch_writers_on_one_sqlite_file_take_turns(tmp_path: Path) -> None:
    engine = open_engine(f"sqlite:///{tmp_path / 'node.db'}")
    assert sqlite_file(engine) == tmp_path / "node.db"
    inside: list[int] = []
    overlaps: list[bool] = []

    def write(number: int) -> None:
        with writer_lock(engine):
            overlaps.append(bool(inside))
            inside.append(number)
            time.sleep(0.05)
            inside.remove(number)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert overlaps == [False] * 4
    engine.dispose()


def test_the_writer_lock_is_nothing_on_postgres(postgres_engine: Engine) -> None:
    assert sqlite_file(postgres_engine) is None
    with writer_lock(postgres_engine), writer_lock(postgres_engine):  # no deadlock: no lock
        pass
