"""The node's verifiable log in storage: append, sign tree heads, prove, verify, witness.

Every record the node sends, receives or revokes is appended (one leaf per event) in the same
transaction as the event itself. Appends are serialised (a process lock, plus an advisory lock on
PostgreSQL) so leaf indices stay dense.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, func, insert, select, text

from borderlink.errors import IntegrityFailure, NotFound
from borderlink.exchange.envelope import TREE_HEAD, canonical, sign, verify
from borderlink.exchange.identity import NodeIdentity, Partner
from borderlink.exchange.merkle_log import (
    TreeHead,
    check_witness,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    root,
    verify_consistency,
    verify_inclusion,
)
from borderlink.exchange.stix import timestamp
from borderlink.services.node import Node
from borderlink.store import is_postgres
from borderlink.store.cooperation_tables import log_leaves, tree_heads

_PG_LOCK_KEY = 0x42_4C_4F_47  # "BLOG"


@contextmanager
def exclusive(node: Node) -> Iterator[Connection]:
    """A transaction in which this node's exchange tables (and log) are written one at a time."""
    # The process lock is the node's (one Node per database in a process, as open_node makes);
    # the advisory lock covers other processes on PostgreSQL.
    with node.runtime.log_lock, node.transaction() as conn:
        if is_postgres(node.engine):
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK_KEY})
        yield conn


def append(conn: Connection, entries: Sequence[Mapping[str, Any]]) -> list[int]:
    """Append entries (each with a ``record_id``) as leaves; their indices. Call in exclusive()."""
    last = conn.execute(select(func.max(log_leaves.c.leaf_index))).scalar_one()
    size = 0 if last is None else last + 1
    now = dt.datetime.now(dt.UTC)
    rows = [
        {
            "leaf_index": size + i,
            "leaf_hash": leaf_hash(canonical(dict(entry))).hex(),
            "record_id": str(entry["record_id"]),
            "entry": dict(entry),
            "appended_at": now,
        }
        for i, entry in enumerate(entries)
    ]
    if rows:
        conn.execute(insert(log_leaves), rows)
    return [size + i for i in range(len(rows))]


def _leaf_hashes(conn: Connection, size: int | None = None) -> list[bytes]:
    query = select(log_leaves.c.leaf_hash).order_by(log_leaves.c.leaf_index)
    if size is not None:
        query = query.where(log_leaves.c.leaf_index < size)
    return [bytes.fromhex(h) for (h,) in conn.execute(query)]


def signed_tree_head(node: Node, identity: NodeIdentity) -> tuple[TreeHead, str]:
    """The log's current head, signed; kept in ``tree_heads`` so later changes are detectable."""
    with exclusive(node) as conn:
        leaves = _leaf_hashes(conn)
        held = conn.execute(
            select(tree_heads.c.signed).where(
                tree_heads.c.node_id == identity.node_id, tree_heads.c.tree_size == len(leaves)
            )
        ).first()
        if held is not None:
            me = {identity.node_id: Partner(identity.node_id, "", identity.public_key, "")}
            return _head(verify(held.signed, me, typ=TREE_HEAD).payload), held.signed
        head = TreeHead(
            identity.node_id, len(leaves), root(leaves).hex(), timestamp(dt.datetime.now(dt.UTC))
        )
        token = sign(identity, head.payload(), typ=TREE_HEAD)
        _store_head(conn, head, token)
    return head, token


def _store_head(conn: Connection, head: TreeHead, token: str) -> None:
    conn.execute(
        insert(tree_heads).values(
            node_id=head.node_id,
            tree_size=head.tree_size,
            root_hash=head.root_hash,
            signed=token,
            stored_at=dt.datetime.now(dt.UTC),
        )
    )


def _head(payload: Mapping[str, Any]) -> TreeHead:
    try:
        return TreeHead(
            str(payload["sender"]),
            int(payload["tree_size"]),
            str(payload["root_hash"]),
            str(payload["timestamp"]),
        )
    except (KeyError, TypeError, ValueError) as error:
        raise IntegrityFailure(f"malformed tree head: {error}") from error


def consistency(node: Node, first: int, second: int | None = None) -> list[str]:
    """Hex consistency proof between the log's first ``first`` and ``second`` entries."""
    with node.read() as conn:
        leaves = _leaf_hashes(conn, second)
    if second is not None and second > len(leaves):
        raise NotFound(f"the log has {len(leaves)} entries, not {second}")
    if first > len(leaves):
        raise NotFound(f"the log has {len(leaves)} entries, not {first}")
    return [p.hex() for p in consistency_proof(first, leaves)]


@dataclass(frozen=True)
class Inclusion:
    leaf_index: int
    entry: dict[str, Any]
    tree_size: int
    root_hash: str
    proof: list[str]


def prove_record(node: Node, record_id: str) -> list[Inclusion]:
    """Inclusion proofs, in the current tree, of every log entry about ``record_id``."""
    with node.read() as conn:
        leaves = _leaf_hashes(conn)
        rows = conn.execute(
            select(log_leaves.c.leaf_index, log_leaves.c.entry)
            .where(log_leaves.c.record_id == record_id)
            .order_by(log_leaves.c.leaf_index)
        ).all()
    if not rows:
        raise NotFound(f"no log entry about {record_id!r}", field="record_id")
    head = root(leaves)
    proofs = []
    for index, entry in rows:
        proof = inclusion_proof(index, leaves)
        if not verify_inclusion(index, len(leaves), leaf_hash(canonical(entry)), proof, head):
            raise IntegrityFailure(f"log entry {index} about {record_id} does not verify")
        proofs.append(Inclusion(index, entry, len(leaves), head.hex(), [p.hex() for p in proof]))
    return proofs


@dataclass(frozen=True)
class LogReport:
    tree_size: int
    root_hash: str
    heads_checked: int


def verify_log(node: Node, public_key: str, held_by_partners: Sequence[str] = ()) -> LogReport:
    """Recompute the log: every leaf from its entry, every signed head this node issued.

    ``held_by_partners``: signed heads of this node that a partner kept as a witness (tokens);
    the log must be consistent with each of them too.
    """
    me = {node.settings.node_id: Partner(node.settings.node_id, "", public_key, "")}
    with node.read() as conn:
        rows = conn.execute(
            select(log_leaves.c.leaf_index, log_leaves.c.leaf_hash, log_leaves.c.entry).order_by(
                log_leaves.c.leaf_index
            )
        ).all()
        heads = conn.execute(
            select(tree_heads.c.signed)
            .where(tree_heads.c.node_id == node.settings.node_id)
            .order_by(tree_heads.c.tree_size)
        ).all()
    tokens = [token for (token,) in heads] + list(held_by_partners)
    leaves: list[bytes] = []
    for expected, (index, stored, entry) in enumerate(rows):
        if index != expected:
            raise IntegrityFailure(f"log entry {expected} is missing (next is {index})")
        if leaf_hash(canonical(entry)).hex() != stored:
            raise IntegrityFailure(f"log entry {index} was altered: its hash does not match")
        leaves.append(bytes.fromhex(stored))
    current = root(leaves)
    for token in tokens:
        head = _head(verify(token, me, typ=TREE_HEAD).payload)
        if head.tree_size > len(leaves):
            raise IntegrityFailure(
                f"signed head covers {head.tree_size} entries; the log holds {len(leaves)}"
            )
        proof = consistency_proof(head.tree_size, leaves)
        if not verify_consistency(
            head.tree_size, len(leaves), bytes.fromhex(head.root_hash), current, proof
        ):
            raise IntegrityFailure(
                f"log is not consistent with its signed head at size {head.tree_size}: "
                "entries were reordered, altered or dropped"
            )
    return LogReport(len(leaves), current.hex(), len(tokens))


def witness(node: Node, partner: Partner, head_token: str, proof: Sequence[str]) -> TreeHead:
    """Check a partner's signed tree head against the last one held, then keep it."""
    head = _head(verify(head_token, {partner.partner_id: partner}, typ=TREE_HEAD).payload)
    with exclusive(node) as conn:
        row = conn.execute(
            select(tree_heads.c.signed)
            .where(tree_heads.c.node_id == partner.partner_id)
            .order_by(tree_heads.c.tree_size.desc())
            .limit(1)
        ).first()
        held = None
        if row is not None:
            held = _head(verify(row.signed, {partner.partner_id: partner}, typ=TREE_HEAD).payload)
        if held is not None and held.tree_size == head.tree_size:
            if held.root_hash != head.root_hash:
                raise IntegrityFailure(
                    f"forked tree head: {partner.partner_id} signed two roots for size "
                    f"{head.tree_size}"
                )
            return head
        check_witness(held, head, [bytes.fromhex(p) for p in proof])
        _store_head(conn, head, head_token)
    return head


def held_head(node: Node, node_id: str) -> TreeHead | None:
    """The latest tree head held for ``node_id`` (own or witnessed), unverified."""
    with node.read() as conn:
        row = conn.execute(
            select(tree_heads)
            .where(tree_heads.c.node_id == node_id)
            .order_by(tree_heads.c.tree_size.desc())
            .limit(1)
        ).first()
    if row is None:
        return None
    return TreeHead(row.node_id, row.tree_size, row.root_hash, "")
