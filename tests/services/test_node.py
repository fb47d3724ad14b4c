"""The node's unit of work: one transaction per block, rolled back when the block raises."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlalchemy import func, insert, select

from borderlink.services import Node
from borderlink.store.tables import audit_log


def _entries(node: Node) -> int:
    with node.read() as conn:
        return int(conn.execute(select(func.count()).select_from(audit_log)).scalar_one())


def _entry(action: str) -> dict[str, object]:
    return {"at": dt.datetime.now(dt.UTC), "actor": "test", "action": action}


def test_a_transaction_commits_its_block_or_nothing(node: Node) -> None:
    before = _entries(node)
    with node.transaction() as conn:
        conn.execute(insert(audit_log).values(_entry("kept")))
    assert _entries(node) == before + 1

    def fail_half_way() -> None:
        with node.transaction() as conn:
            conn.execute(insert(audit_log).values(_entry("dropped")))
            raise RuntimeError("the use case failed half-way")

    with pytest.raises(RuntimeError):
        fail_half_way()
    assert _entries(node) == before + 1  # the failed block left nothing behind


def test_reads_inside_reading_share_one_connection_of_their_thread(node: Node) -> None:
    with node.read() as first, node.read() as second:
        assert first is not second  # outside a reading block, each read has its own
    seen: list[object] = []
    with node.reading():
        with node.read() as a:
            seen.append(a)
        with node.read() as b:
            seen.append(b)
        other: list[object] = []
        thread = threading.Thread(target=lambda: other.append(node.runtime.held_reader()))
        thread.start()
        thread.join()
        with node.transaction() as conn:  # a write takes its own connection, and commits
            conn.execute(insert(audit_log).values(**_entry("inside")))
            assert conn is not a
    assert seen[0] is seen[1]
    assert other == [None]  # another thread never gets this thread's connection
    assert node.runtime.held_reader() is None
    assert _entries(node) == 1
