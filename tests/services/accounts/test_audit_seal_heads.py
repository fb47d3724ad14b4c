"""The sealer signs a head only when the log grew: nothing is recomputed when nothing changed."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from borderlink.services import Node
from borderlink.services.accounts import audit_seal
from borderlink.services.accounts.access import Principal
from borderlink.services.accounts.audit import record
from borderlink.services.cooperation.partners import init_node
from borderlink.services.exchange import log
from borderlink.store.cooperation_tables import tree_heads

OPS = Principal.system("test")  # acts for the node in the tests


def _heads(node: Node) -> int:
    with node.read() as conn:
        return int(conn.execute(select(func.count()).select_from(tree_heads)).scalar_one())


def test_a_seal_with_nothing_new_reads_no_subtree_and_signs_nothing(
    node: Node, monkeypatch: pytest.MonkeyPatch
) -> None:
    identity = init_node(node, OPS)
    first = audit_seal.seal(node, identity=identity)
    assert first.chained >= 1
    assert first.head is not None
    heads = _heads(node)

    def no_recompute(*_: object) -> bytes:
        raise AssertionError("the tree was recomputed although nothing changed")

    monkeypatch.setattr(log, "tree_root", no_recompute)
    again = audit_seal.seal(node, identity=identity)
    assert again.chained == 0
    assert again.head == first.head
    assert _heads(node) == heads
    monkeypatch.undo()
    with node.transaction() as conn:
        record(conn, actor="x", action="x.y")
    grown = audit_seal.seal(node, identity=identity)
    assert grown.head is not None
    assert grown.head.tree_size == first.head.tree_size + 1
