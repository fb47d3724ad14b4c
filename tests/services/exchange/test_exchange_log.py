"""The stored verifiable log: proofs, verification, tamper detection, witnessing partner heads."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import delete, update

from borderlink.errors import IntegrityFailure
from borderlink.exchange.envelope import TREE_HEAD, canonical, sign
from borderlink.exchange.identity import NodeIdentity, Partner, create_key
from borderlink.exchange.merkle_log import (
    TreeHead,
    consistency_proof,
    leaf_hash,
    root,
    verify_inclusion,
)
from borderlink.services import Node
from borderlink.services.accounts.access import Principal
from borderlink.services.cooperation.partners import init_node
from borderlink.services.exchange.log import (
    append,
    consistency,
    exclusive,
    prove_record,
    signed_tree_head,
    verify_log,
    witness,
)
from borderlink.store.cooperation_tables import log_leaves

OPS = Principal.system("test")  # acts for the node in the tests


def _fill(node: Node, n: int, start: int = 0) -> None:
    with exclusive(node) as conn:
        append(
            conn,
            [
                {"kind": "sent", "record_id": f"r{i}", "peer": "B", "digest": f"{i:064x}"}
                for i in range(start, start + n)
            ],
        )


@pytest.fixture
def logged(node: Node) -> tuple[Node, NodeIdentity]:
    identity = init_node(node, OPS)
    _fill(node, 5)
    signed_tree_head(node, identity)
    _fill(node, 3, start=5)
    return node, identity


def test_log_verifies_and_proves_inclusion(logged: tuple[Node, NodeIdentity]) -> None:
    node, identity = logged
    report = verify_log(node, identity.public_key)
    assert (report.tree_size, report.heads_checked) == (8, 1)
    (proof,) = prove_record(node, "r6")
    assert proof.leaf_index == 6
    assert verify_inclusion(
        6,
        8,
        leaf_hash(canonical(proof.entry)),
        [bytes.fromhex(p) for p in proof.proof],
        bytes.fromhex(report.root_hash),
    )
    assert len(consistency(node, 5, 8)) > 0


def test_altered_entry_is_detected(logged: tuple[Node, NodeIdentity]) -> None:
    node, identity = logged
    with node.engine.begin() as conn:
        conn.execute(
            update(log_leaves)
            .where(log_leaves.c.leaf_index == 2)
            .values(entry={"kind": "sent", "record_id": "r2", "peer": "X", "digest": "0"})
        )
    with pytest.raises(IntegrityFailure, match="entry 2 was altered"):
        verify_log(node, identity.public_key)


def test_reordered_entries_are_detected_against_the_signed_head(
    logged: tuple[Node, NodeIdentity],
) -> None:
    node, identity = logged
    # Swap entries 1 and 2 wholesale (each row stays self-consistent).
    with node.engine.begin() as conn:
        rows = {
            r.leaf_index: r
            for r in conn.execute(log_leaves.select().where(log_leaves.c.leaf_index.in_([1, 2])))
        }
        for index, other in ((1, 2), (2, 1)):
            conn.execute(
                update(log_leaves)
                .where(log_leaves.c.leaf_index == index)
                .values(
                    leaf_hash=rows[other].leaf_hash,
                    entry=rows[other].entry,
                    record_id=rows[other].record_id,
                )
            )
    with pytest.raises(IntegrityFailure, match="not consistent with its signed head at size 5"):
        verify_log(node, identity.public_key)


def test_dropped_entries_are_detected(logged: tuple[Node, NodeIdentity]) -> None:
    node, identity = logged
    with node.engine.begin() as conn:
        conn.execute(delete(log_leaves).where(log_leaves.c.leaf_index == 3))
    with pytest.raises(IntegrityFailure, match="entry 3 is missing"):
        verify_log(node, identity.public_key)
    with node.engine.begin() as conn:
        conn.execute(delete(log_leaves).where(log_leaves.c.leaf_index >= 3))
    with pytest.raises(IntegrityFailure, match="covers 5 entries; the log holds 3"):
        verify_log(node, identity.public_key)


def _head(identity: NodeIdentity, leaves: list[bytes]) -> str:
    head = TreeHead(identity.node_id, len(leaves), root(leaves).hex(), "2026-11-23T10:00:00Z")
    return sign(identity, head.payload(), typ=TREE_HEAD)


def test_witness_accepts_growth_and_detects_a_forked_head(node: Node, tmp_path: Path) -> None:
    a = NodeIdentity("A", "A", create_key(tmp_path / "a.pem"))
    partner = Partner("A", "A", a.public_key, "http://a")
    leaves = [leaf_hash(bytes([i])) for i in range(8)]
    witness(node, partner, _head(a, leaves[:5]), [])
    witness(node, partner, _head(a, leaves), [p.hex() for p in consistency_proof(5, leaves)])
    forked = [*leaves[:7], leaf_hash(b"rewritten")]
    with pytest.raises(IntegrityFailure, match="signed two roots for size 8"):
        witness(node, partner, _head(a, forked), [])
    longer = [*forked, leaf_hash(b"more")]
    with pytest.raises(IntegrityFailure, match="forked tree head"):
        witness(node, partner, _head(a, longer), [p.hex() for p in consistency_proof(8, longer)])
    impostor = NodeIdentity("A", "A", create_key(tmp_path / "x.pem"))
    with pytest.raises(IntegrityFailure, match="signature does not verify"):
        witness(node, partner, _head(impostor, leaves), [])


def test_heads_held_by_partners_are_checked_too(logged: tuple[Node, NodeIdentity]) -> None:
    node, identity = logged
    _, token = signed_tree_head(node, identity)  # size 8, as a partner would keep it
    assert verify_log(node, identity.public_key, [token]).heads_checked == 3
    forged = TreeHead(identity.node_id, 8, "00" * 32, "2026-11-23T10:00:00Z")
    with pytest.raises(IntegrityFailure, match="not consistent"):
        verify_log(node, identity.public_key, [sign(identity, forged.payload(), typ=TREE_HEAD)])
