"""0010: a log that already has leaves gets its stored subtrees, so its head stays the same."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import create_engine, insert

from borderlink.exchange.merkle_log import leaf_hash, root
from borderlink.services import Node
from borderlink.services.exchange.log import tree_root
from borderlink.settings import Settings
from borderlink.store import upgrade
from borderlink.store.cooperation_tables import log_leaves


def test_upgrading_a_log_with_leaves_fills_its_subtrees(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'old.db'}")
    upgrade(engine, "0009_merge")
    hashes = [leaf_hash(bytes([i])) for i in range(13)]
    with engine.begin() as conn:
        conn.execute(
            insert(log_leaves),
            [
                {
                    "leaf_index": i,
                    "leaf_hash": h.hex(),
                    "record_id": f"r{i}",
                    "entry": {"record_id": f"r{i}"},
                    "appended_at": dt.datetime.now(dt.UTC),
                }
                for i, h in enumerate(hashes)
            ],
        )
    upgrade(engine)
    node = Node(settings=Settings(environment="test", data_dir=tmp_path), engine=engine)
    with node.read() as conn:
        for size in (1, 8, 13):
            assert tree_root(conn, size) == root(hashes[:size])
    engine.dispose()
