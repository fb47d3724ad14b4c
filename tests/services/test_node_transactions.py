"""Node.transaction on SQLite begins IMMEDIATE: two writers that read first never deadlock."""

from __future__ import annotations

import contextlib
import threading
from pathlib import Path

from sqlalchemy import Engine, text

from borderlink.services import Node
from borderlink.settings import Settings
from borderlink.store import open_engine


def _counter(tmp_path: Path) -> Engine:
    engine = open_engine(f"sqlite:///{tmp_path / 'node.db'}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE counter (n INTEGER NOT NULL)"))
        conn.execute(text("INSERT INTO counter VALUES (0)"))
    return engine


def test_two_writers_reading_first_both_finish(tmp_path: Path) -> None:
    """Each reads, waits for the other to have read, then writes. Deferred, both hold a read
    lock and one fails at once with "database is locked"; IMMEDIATE, the second waits its
    turn (so the barrier only sees the first: its wait times out, which is the point)."""
    engine = _counter(tmp_path)
    node = Node(settings=Settings(environment="test", data_dir=tmp_path), engine=engine)
    both_read = threading.Barrier(2, timeout=2)
    errors: list[BaseException] = []

    def writer() -> None:
        try:
            with node.transaction() as conn:
                n = conn.execute(text("SELECT n FROM counter")).scalar_one()
                # Broken: the other writer waits for the lock, so it could not have read.
                with contextlib.suppress(threading.BrokenBarrierError):
                    both_read.wait()
                conn.execute(text("UPDATE counter SET n = :n"), {"n": n + 1})
        except BaseException as error:  # handed to the test
            errors.append(error)

    threads = [threading.Thread(target=writer) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    with node.read() as conn:
        assert conn.execute(text("SELECT n FROM counter")).scalar_one() == 2  # no lost update
    engine.dispose()


def test_reads_do_not_take_the_write_lock(tmp_path: Path) -> None:
    engine = _counter(tmp_path)
    node = Node(settings=Settings(environment="test", data_dir=tmp_path), engine=engine)
    with node.transaction() as conn, node.read() as reader:
        conn.execute(text("UPDATE counter SET n = 5"))
        assert reader.execute(text("SELECT n FROM counter")).scalar_one() == 0  # WAL snapshot
    engine.dispose()
