"""The audit log chained into the verifiable log: sealing, verifying, tamper detection, proofs."""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
from typing import Any

import pytest
from sqlalchemy import Engine, delete, func, insert, select, text, update
from sqlalchemy.exc import DBAPIError

from borderlink.errors import NotFound, PermissionDenied
from borderlink.exchange.envelope import TREE_HEAD, canonical, verify
from borderlink.exchange.identity import NodeIdentity, Partner
from borderlink.exchange.merkle_log import leaf_hash, verify_inclusion
from borderlink.services import Node
from borderlink.services.accounts import audit
from borderlink.services.accounts.access import Principal, Role
from borderlink.services.accounts.audit_seal import (
    entry_document,
    prove_entry,
    seal,
    verify_audit,
)
from borderlink.services.cooperation.partners import init_node
from borderlink.services.declarations.browse import list_audit
from borderlink.store import is_postgres
from borderlink.store.cooperation_tables import log_leaves, tree_heads
from borderlink.store.tables import audit_chain, audit_log

OPS = Principal.system("test")  # acts for the node in the tests

AUDITOR = Principal(1, "auditor-1", Role.AUDITOR)


def _record(node: Node, n: int, start: int = 0) -> None:
    with node.engine.begin() as conn:
        for i in range(start, start + n):
            audit.record(
                conn,
                actor="officer-1",
                action="declaration.read",
                object_type="declaration",
                object_id=f"D-{i}",
                reason="screening",
                details={"shown": [i], "score": 0.25, "names": "Ærø"},
            )


def _chain(node: Node) -> list[tuple[int, int, str]]:
    with node.engine.connect() as conn:
        return [
            (entry_id, index, record_id)
            for entry_id, index, record_id in conn.execute(
                select(audit_chain.c.entry_id, audit_chain.c.leaf_index, log_leaves.c.record_id)
                .join(log_leaves, log_leaves.c.leaf_index == audit_chain.c.leaf_index)
                .order_by(audit_chain.c.entry_id)
            )
        ]


def tamper(engine: Engine, *statements: Any) -> None:
    """Write past the append-only triggers and foreign keys, as someone with the database would."""
    if is_postgres(engine):
        with engine.begin() as conn:  # the test server's user is a superuser
            conn.execute(text("SET LOCAL session_replication_role = replica"))
            for statement in statements:
                conn.execute(statement)
        return
    with engine.connect() as conn:
        # Before the transaction begins (a PRAGMA inside one does nothing), so on the driver's
        # connection: the first statement through SQLAlchemy begins one.
        driver = conn.connection.driver_connection
        assert driver is not None
        driver.execute("PRAGMA foreign_keys = OFF")
        for table in ("audit_log", "audit_chain"):
            for event in ("update", "delete"):
                conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {table}_no_{event}")
        for statement in statements:
            conn.execute(statement)
        conn.commit()
        driver.execute("PRAGMA foreign_keys = ON")


def test_sealing_chains_every_entry_once_in_order(node: Node) -> None:
    _record(node, 7)
    report = seal(node, chunk=3)  # three transactions: 3 + 3 + 1
    assert (report.chained, report.head) == (7, None)
    assert seal(node).chained == 0  # idempotent
    chain = _chain(node)
    assert [e for e, _, _ in chain] == list(range(1, 8))
    assert [i for _, i, _ in chain] == list(range(7))
    assert all(r == f"audit:{e}" for e, _, r in chain)
    page = list_audit(node, AUDITOR)
    assert {e.entry_id: e.leaf_index for e in page.items} == {e: i for e, i, _ in chain}
    result = verify_audit(node)
    assert (result.entries, result.chained, result.unchained, result.ok) == (7, 7, 0, True)


def test_the_leaf_carries_a_digest_of_the_entry_not_its_content(node: Node) -> None:
    _record(node, 1)
    seal(node)
    with node.engine.connect() as conn:
        row = conn.execute(select(audit_log)).one()
        leaf = conn.execute(select(log_leaves.c.entry)).scalar_one()
    document = entry_document(row)
    assert document["at"].endswith("Z")
    assert document["details"] == {"shown": [0], "score": 0.25, "names": "Ærø"}
    assert leaf == {
        "kind": "audit",
        "record_id": "audit:1",
        "digest": hashlib.sha256(canonical(document)).hexdigest(),
    }


def test_limit_and_unchained_entries_are_counted(node: Node) -> None:
    _record(node, 5)
    assert seal(node, limit=2).chained == 2
    result = verify_audit(node)
    assert (result.chained, result.unchained, result.ok) == (2, 3, True)
    assert list_audit(node, AUDITOR).items[0].leaf_index is None  # the newest: not yet chained


def test_window_bounds_a_round_and_a_full_seal_catches_late_commits(node: Node) -> None:
    """An entry committed late (lower id than ones already chained) is chained by a full seal."""
    row = {"at": dt.datetime(2026, 11, 23, 10, tzinfo=dt.UTC), "actor": "a", "action": "x.y"}
    with node.engine.begin() as conn:
        conn.execute(insert(audit_log), [{"entry_id": 100, **row}])
    seal(node)
    with node.engine.begin() as conn:
        conn.execute(insert(audit_log), [{"entry_id": 50, **row}, {"entry_id": 95, **row}])
    assert seal(node, window=10).chained == 1  # 95 is within 10 of 100; 50 is not
    assert verify_audit(node).unchained == 1
    assert seal(node).chained == 1
    assert [e for e, _, _ in _chain(node)] == [50, 95, 100]


def test_concurrent_sealers_chain_each_entry_once(node: Node) -> None:
    _record(node, 40)
    errors: list[BaseException] = []
    counts: list[int] = []
    start = threading.Barrier(3)

    def sealer() -> None:
        try:
            start.wait(5)
            counts.append(sum(seal(node, chunk=4).chained for _ in range(3)))
        except BaseException as error:  # reported by the assertion below
            errors.append(error)

    def writer() -> None:
        try:
            start.wait(5)
            _record(node, 10, start=40)
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=f) for f in (sealer, sealer, writer)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors
    counts.append(seal(node).chained)
    assert sum(counts) == 50
    chain = _chain(node)
    assert sorted(e for e, _, _ in chain) == list(range(1, 51))
    assert sorted(i for _, i, _ in chain) == list(range(50))
    assert verify_audit(node).ok


def test_a_signed_head_commits_the_seal(node: Node) -> None:
    identity = init_node(node, OPS)  # audited too: entry 1
    _record(node, 3)
    head = seal(node, identity=identity).head
    assert head is not None
    assert head.tree_size == 4
    _record(node, 2, start=3)
    seal(node)  # chained, not yet under a signed head
    result = verify_audit(node, identity.public_key)
    assert (result.chained, result.committed, result.head_size, result.ok) == (6, 4, 4, True)


def test_the_chain_is_append_only(node: Node) -> None:
    _record(node, 1)
    seal(node)
    for statement in (update(audit_chain).values(leaf_index=5), delete(audit_chain)):
        with pytest.raises(DBAPIError, match="append-only"), node.engine.begin() as conn:
            conn.execute(statement)


# --- tampering --------------------------------------------------------------------------------


@pytest.fixture
def sealed(node: Node) -> tuple[Node, NodeIdentity]:
    identity = init_node(node, OPS)
    _record(node, 5)
    seal(node, identity=identity)
    assert verify_audit(node, identity.public_key).ok
    return node, identity


def _problems(node: Node, identity: NodeIdentity) -> tuple[dict[int, str], str | None]:
    result = verify_audit(node, identity.public_key)
    assert not result.ok
    return {m.entry_id: m.problem for m in result.mismatches}, result.log_problem


def test_an_altered_entry_is_named(sealed: tuple[Node, NodeIdentity]) -> None:
    node, identity = sealed
    tamper(node.engine, update(audit_log).where(audit_log.c.entry_id == 3).values(actor="nobody"))
    problems, log_problem = _problems(node, identity)
    assert problems == {
        3: "the audit entry was altered after it was chained: it no longer matches its leaf"
    }
    assert log_problem is None  # the log itself is intact: the entry changed under it


def test_an_altered_leaf_is_named(sealed: tuple[Node, NodeIdentity]) -> None:
    node, identity = sealed
    with node.engine.connect() as conn:
        index = conn.execute(
            select(audit_chain.c.leaf_index).where(audit_chain.c.entry_id == 4)
        ).scalar_one()
    forged = {"kind": "audit", "record_id": "audit:4", "digest": "0" * 64}
    tamper(
        node.engine, update(log_leaves).where(log_leaves.c.leaf_index == index).values(entry=forged)
    )
    problems, log_problem = _problems(node, identity)
    assert problems == {4: f"leaf {index} was altered: its hash does not match its entry"}
    assert log_problem == f"log entry {index} was altered: its hash does not match"
    # Forging the leaf's hash as well still leaves the entry and the signed head disagreeing.
    tamper(
        node.engine,
        update(log_leaves)
        .where(log_leaves.c.leaf_index == index)
        .values(leaf_hash=leaf_hash(canonical(forged)).hex()),
    )
    problems, log_problem = _problems(node, identity)
    assert "altered after it was chained" in problems[4]
    assert "not consistent with its signed head" in str(log_problem)


def test_a_deleted_leaf_is_named(sealed: tuple[Node, NodeIdentity]) -> None:
    node, identity = sealed
    tamper(node.engine, delete(log_leaves).where(log_leaves.c.record_id == "audit:2"))
    problems, log_problem = _problems(node, identity)
    assert list(problems) == [2]
    assert "is missing from the log" in problems[2]
    assert "is missing" in str(log_problem)


def test_an_entry_unchained_and_chained_again_is_named(
    sealed: tuple[Node, NodeIdentity],
) -> None:
    """Rewriting an entry, unlinking it and sealing it anew leaves its first leaf behind."""
    node, identity = sealed
    tamper(
        node.engine,
        update(audit_log).where(audit_log.c.entry_id == 5).values(reason="nothing to see"),
        delete(audit_chain).where(audit_chain.c.entry_id == 5),
    )
    assert seal(node, identity=identity).chained == 1
    problems, _ = _problems(node, identity)
    assert list(problems) == [5]
    assert "is in no chain row" in problems[5]


# --- proofs -----------------------------------------------------------------------------------


def _check(proof: Any, identity: NodeIdentity) -> dict[str, Any]:
    """What an auditor does with a proof and the node's public key."""
    me = {identity.node_id: Partner(identity.node_id, "", identity.public_key, "")}
    head = verify(proof.signed_tree_head, me, typ=TREE_HEAD).payload
    assert (head["tree_size"], head["root_hash"]) == (proof.tree_size, proof.root_hash)
    assert (
        proof.leaf["digest"]
        == hashlib.sha256(
            canonical(
                {
                    "entry_id": proof.entry.entry_id,
                    "at": proof.entry.at.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
                    "actor": proof.entry.actor,
                    "action": proof.entry.action,
                    "object_type": proof.entry.object_type,
                    "object_id": proof.entry.object_id,
                    "reason": proof.entry.reason,
                    "details": proof.entry.details,
                }
            )
        ).hexdigest()
    )
    assert verify_inclusion(
        proof.leaf_index,
        proof.tree_size,
        leaf_hash(canonical(proof.leaf)),
        [bytes.fromhex(p) for p in proof.proof],
        bytes.fromhex(proof.root_hash),
    )
    return head


def _heads(node: Node) -> int:
    with node.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(tree_heads)).scalar_one())


def test_a_proof_verifies_against_a_signed_head(sealed: tuple[Node, NodeIdentity]) -> None:
    node, identity = sealed
    proof = prove_entry(node, AUDITOR, 3)
    assert (proof.entry.entry_id, proof.entry.leaf_index) == (3, proof.leaf_index)
    assert _check(proof, identity)["tree_size"] == 6
    _record(node, 2, start=5)
    seal(node)
    heads = _heads(node)
    assert prove_entry(node, AUDITOR, 3).tree_size == 6  # the held head covers it: no new head
    assert _heads(node) == heads
    newer = prove_entry(node, AUDITOR, 7)  # newer than every head: one is signed for it
    assert _check(newer, identity)["tree_size"] == 8
    assert _heads(node) == heads + 1


def test_proofs_need_a_chained_entry_and_an_auditor(sealed: tuple[Node, NodeIdentity]) -> None:
    node, _ = sealed
    _record(node, 1, start=5)
    with pytest.raises(NotFound, match="not chained yet"):
        prove_entry(node, AUDITOR, 7)
    with pytest.raises(NotFound, match="no audit entry 99"):
        prove_entry(node, AUDITOR, 99)
    with pytest.raises(PermissionDenied):
        prove_entry(node, Principal(2, "officer-1", Role.OFFICER, office_id="OFA"), 1)


def test_without_a_node_key_the_proof_is_against_the_current_root(node: Node) -> None:
    _record(node, 3)
    seal(node)
    proof = prove_entry(node, AUDITOR, 2)
    assert proof.signed_tree_head is None
    assert proof.tree_size == 3
    assert verify_inclusion(
        proof.leaf_index,
        3,
        leaf_hash(canonical(proof.leaf)),
        [bytes.fromhex(p) for p in proof.proof],
        bytes.fromhex(proof.root_hash),
    )


def test_sealing_and_verifying_need_audit_read(node: Node) -> None:
    officer = Principal(user_id=9, username="o", role=Role.OFFICER, office_id="A")
    with pytest.raises(PermissionDenied):
        seal(node, principal=officer)
    with pytest.raises(PermissionDenied):
        verify_audit(node, principal=officer)
    auditor = Principal(user_id=10, username="a", role=Role.AUDITOR)
    assert verify_audit(node, principal=auditor).ok
