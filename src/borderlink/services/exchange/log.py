"""The node's verifiable log in storage: append, sign tree heads, prove, verify, witness.

Every record the node sends, receives or revokes is appended (one leaf per event) in the same
transaction as the event itself. Appends are serialised (a process lock, plus an advisory lock on
PostgreSQL) so leaf indices stay dense. Each append also stores the subtrees it completes
(``log_nodes``), so a head, an inclusion proof or a consistency proof reads O(log n) rows, never
the whole log; :func:`verify_log` alone reads every leaf, to recompute them all.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, func, insert, select, text

from borderlink.errors import IntegrityFailure, NotFound
from borderlink.exchange.client import PartnerClient
from borderlink.exchange.envelope import TREE_HEAD, canonical, sign, verify
from borderlink.exchange.identity import NodeIdentity, Partner, b64url_decode
from borderlink.exchange.merkle_log import (
    NodeId,
    TreeHead,
    all_nodes,
    check_witness,
    consistency_proof,
    consistency_ranges,
    fold,
    grow,
    inclusion_ranges,
    leaf_hash,
    range_nodes,
    ranges_hashes,
    root,
    verify_consistency,
    verify_inclusion,
)
from borderlink.exchange.stix import timestamp
from borderlink.services.cooperation.partners import retired_keys
from borderlink.services.exchange.keys import key_statements
from borderlink.services.node import Node
from borderlink.store import is_postgres
from borderlink.store.bulk import driver_value, insert_values
from borderlink.store.cooperation_tables import log_leaves, tree_heads
from borderlink.store.exchange_tables import log_nodes

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


def tree_size(conn: Connection) -> int:
    last = conn.execute(select(func.max(log_leaves.c.leaf_index))).scalar_one()
    return 0 if last is None else int(last) + 1


def read_nodes(conn: Connection, wanted: Iterable[NodeId]) -> dict[NodeId, bytes]:
    """The stored hashes of the subtrees ``wanted`` (level 0: leaves); a gap is a fault."""
    ids = set(wanted)
    leaves = sorted(i for level, i in ids if level == 0)
    inner = sorted(n for n in ids if n[0])
    found: dict[NodeId, bytes] = {}
    # Both statements are written out and handed to the driver as they are: they run on every
    # head and proof, and building or binding them through SQLAlchemy cost more than running
    # them. Values are bound, never formatted in.
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    if leaves:
        rows = conn.exec_driver_sql(
            "SELECT leaf_index, leaf_hash FROM log_leaves "  # noqa: S608 - placeholders only
            f"WHERE leaf_index IN ({', '.join([mark] * len(leaves))})",
            tuple(leaves),
        )
        found.update({(0, i): bytes.fromhex(h) for i, h in rows})
    if inner:
        # One primary-key lookup per subtree: SQLite scans the table for a row-value IN list,
        # but searches the key for each OR term.
        terms = " OR ".join([f"(level = {mark} AND node_index = {mark})"] * len(inner))
        found_inner = conn.exec_driver_sql(
            f"SELECT level, node_index, hash FROM log_nodes WHERE {terms}",  # noqa: S608 - placeholders only
            tuple(v for node_id in inner for v in node_id),
        )
        found.update({(lv, i): bytes(h) for lv, i, h in found_inner})
    missing = ids - found.keys()
    if missing:
        raise IntegrityFailure(f"the log's stored subtrees {sorted(missing)[:3]} are missing")
    return found


def tree_root(conn: Connection, size: int) -> bytes:
    """MTH of the first ``size`` leaves, from at most log2(size) stored subtrees."""
    ids = range_nodes(0, size)
    nodes = read_nodes(conn, ids)
    return fold([nodes[i] for i in ids])


def append(conn: Connection, entries: Sequence[Mapping[str, Any]]) -> list[int]:
    """Append entries (each with a ``record_id``) as leaves; their indices. Call in exclusive()."""
    size = tree_size(conn)
    if not entries:
        return []
    now = driver_value(conn, log_leaves, "appended_at", dt.datetime.now(dt.UTC))
    # The canonical bytes are hashed and stored as they are: one serialisation per entry.
    encoded = [canonical(dict(entry)) for entry in entries]
    hashes = [leaf_hash(data) for data in encoded]
    frontier_ids = range_nodes(0, size)
    frontier = read_nodes(conn, frontier_ids)
    made, _ = grow(size, [frontier[i] for i in frontier_ids], hashes)
    insert_values(
        conn,
        log_leaves,
        ("leaf_index", "leaf_hash", "record_id", "entry", "appended_at"),
        [
            (size + i, h.hex(), str(entry["record_id"]), data.decode("utf-8"), now)
            for i, (entry, data, h) in enumerate(zip(entries, encoded, hashes, strict=True))
        ],
    )
    insert_values(conn, log_nodes, ("level", "node_index", "hash"), made)
    return [size + i for i in range(len(entries))]


def _all_leaf_hashes(conn: Connection) -> list[bytes]:
    query = select(log_leaves.c.leaf_hash).order_by(log_leaves.c.leaf_index)
    return [bytes.fromhex(h) for (h,) in conn.execute(query)]


def signed_tree_head(node: Node, identity: NodeIdentity) -> tuple[TreeHead, str]:
    """The log's current head, signed; kept in ``tree_heads`` so later changes are detectable.

    When the log has not grown since the last head, that head is returned as it is: nothing is
    recomputed or signed again, and it is read without the exchange lock (a proof asked while a
    sync writes does not wait on it).
    """
    with node.read() as conn:
        held = _held_head(conn, identity.node_id)
    if held is not None:
        return held
    with exclusive(node) as conn:
        held = _held_head(conn, identity.node_id)
        if held is not None:
            return held
        size = tree_size(conn)
        head = TreeHead(
            identity.node_id,
            size,
            tree_root(conn, size).hex(),
            timestamp(dt.datetime.now(dt.UTC)),
        )
        token = sign(identity, head.payload(), typ=TREE_HEAD)
        _store_head(conn, head, token)
    return head, token


def _held_head(conn: Connection, node_id: str) -> tuple[TreeHead, str] | None:
    """The head signed for the log as it is now, if there is one."""
    held = conn.execute(
        select(tree_heads.c.signed).where(
            tree_heads.c.node_id == node_id, tree_heads.c.tree_size == tree_size(conn)
        )
    ).first()
    return None if held is None else (_head(_payload(held.signed)), held.signed)


def _payload(token: str) -> dict[str, Any]:
    """The payload of a head this node signed and stored itself (:func:`verify_log` checks them)."""
    found: dict[str, Any] = json.loads(b64url_decode(token.split(".")[1]))
    return found


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
        size = tree_size(conn)
        second = size if second is None else second
        for wanted in (second, first):
            if wanted > size:
                raise NotFound(f"the log has {size} entries, not {wanted}")
        ranges = consistency_ranges(first, second)
        nodes = read_nodes(conn, (n for a, b in ranges for n in range_nodes(a, b)))
    return [p.hex() for p in ranges_hashes(ranges, nodes)]


@dataclass(frozen=True)
class Inclusion:
    leaf_index: int
    entry: dict[str, Any]
    tree_size: int
    root_hash: str
    proof: list[str]


def inclusion(conn: Connection, index: int, size: int) -> tuple[list[bytes], bytes]:
    """The audit path of leaf ``index`` in the tree of ``size``, and that tree's root."""
    ranges = inclusion_ranges(index, size)
    heads = range_nodes(0, size)
    nodes = read_nodes(conn, [*heads, *(n for a, b in ranges for n in range_nodes(a, b))])
    return ranges_hashes(ranges, nodes), fold([nodes[n] for n in heads])


def prove_record(node: Node, record_id: str, *, size: int | None = None) -> list[Inclusion]:
    """Inclusion proofs, in the current tree (or the one of ``size``), of entries about it."""
    with node.read() as conn:
        size = tree_size(conn) if size is None else size
        rows = conn.execute(
            select(log_leaves.c.leaf_index, log_leaves.c.entry)
            .where(log_leaves.c.record_id == record_id, log_leaves.c.leaf_index < size)
            .order_by(log_leaves.c.leaf_index)
        ).all()
        if not rows:
            raise NotFound(f"no log entry about {record_id!r}", field="record_id")
        proofs = [(index, entry, *inclusion(conn, index, size)) for index, entry in rows]
    out = []
    for index, entry, proof, head in proofs:
        if not verify_inclusion(index, size, leaf_hash(canonical(entry)), proof, head):
            raise IntegrityFailure(f"log entry {index} about {record_id} does not verify")
        out.append(Inclusion(index, entry, size, head.hex(), [p.hex() for p in proof]))
    return out


def prove_leaf(node: Node, index: int, *, size: int | None = None) -> Inclusion:
    """The inclusion proof of leaf ``index`` in the current tree (or the one of ``size``)."""
    with node.read() as conn:
        size = tree_size(conn) if size is None else size
        if not 0 <= index < size:
            raise NotFound(f"the log has no entry {index} in a tree of {size}", field="leaf_index")
        entry = conn.execute(
            select(log_leaves.c.entry).where(log_leaves.c.leaf_index == index)
        ).scalar_one()
        proof, head = inclusion(conn, index, size)
    return Inclusion(index, entry, size, head.hex(), [p.hex() for p in proof])


@dataclass(frozen=True)
class LogReport:
    tree_size: int
    root_hash: str
    heads_checked: int


def verify_log(
    node: Node, public_key: str | Partner, held_by_partners: Sequence[str] = ()
) -> LogReport:
    """Recompute the log: every leaf from its entry, every stored subtree, every signed head.

    ``public_key``: this node's current key (the keys it rotated away from are read from the
    key history), or this node as a :class:`Partner`. ``held_by_partners``: signed heads of
    this node that a partner kept as a witness (tokens); the log must be consistent with them.
    """
    me_id = node.settings.node_id
    with node.read() as conn:
        me_partner = (
            public_key
            if isinstance(public_key, Partner)
            else Partner(me_id, "", public_key, "", retired_keys(conn, me_id))
        )
        me = {me_id: me_partner}
        rows = conn.execute(
            select(log_leaves.c.leaf_index, log_leaves.c.leaf_hash, log_leaves.c.entry).order_by(
                log_leaves.c.leaf_index
            )
        ).all()
        heads = conn.execute(
            select(tree_heads.c.signed)
            .where(tree_heads.c.node_id == me_id)
            .order_by(tree_heads.c.tree_size)
        ).all()
        c = log_nodes.c
        stored = {
            (lv, i): bytes(h) for lv, i, h in conn.execute(select(c.level, c.node_index, c.hash))
        }
    leaves = _check_leaves(rows)
    current = root(leaves)
    tokens = [token for (token,) in heads] + list(held_by_partners)
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
    # Last: the heads say more about what happened (reordered, dropped) than a subtree does.
    _check_nodes(leaves, stored)
    return LogReport(len(leaves), current.hex(), len(tokens))


def _check_leaves(rows: Sequence[Any]) -> list[bytes]:
    leaves: list[bytes] = []
    for expected, (index, stored, entry) in enumerate(rows):
        if index != expected:
            raise IntegrityFailure(f"log entry {expected} is missing (next is {index})")
        if leaf_hash(canonical(entry)).hex() != stored:
            raise IntegrityFailure(f"log entry {index} was altered: its hash does not match")
        leaves.append(bytes.fromhex(stored))
    return leaves


def _check_nodes(leaves: Sequence[bytes], stored: Mapping[NodeId, bytes]) -> None:
    expected = {(lv, i): h for lv, i, h in all_nodes(leaves)}
    for node_id, h in expected.items():
        if stored.get(node_id) != h:
            raise IntegrityFailure(
                f"the log's stored subtree {node_id} does not match its leaves (altered or lost)"
            )
    if len(stored) != len(expected):
        raise IntegrityFailure("the log stores subtrees beyond its leaves")


def witness(node: Node, partner: Partner, head_token: str, proof: Sequence[str]) -> TreeHead:
    """Check a partner's signed tree head against the last one held, then keep it."""
    head = _head(verify(head_token, {partner.partner_id: partner}, typ=TREE_HEAD).payload)
    with exclusive(node) as conn:
        keep_witnessed(conn, partner, head, head_token, proof)
    return head


def witnessed_in(conn: Connection, partner: Partner) -> TreeHead | None:
    """The latest head of ``partner`` this node holds, its signature checked again."""
    row = conn.execute(
        select(tree_heads.c.signed)
        .where(tree_heads.c.node_id == partner.partner_id)
        .order_by(tree_heads.c.tree_size.desc())
        .limit(1)
    ).first()
    if row is None:
        return None
    return _head(verify(row.signed, {partner.partner_id: partner}, typ=TREE_HEAD).payload)


def keep_witnessed(
    conn: Connection,
    partner: Partner,
    head: TreeHead,
    head_token: str,
    proof: Sequence[str],
    held: TreeHead | None = None,
) -> None:
    """In the caller's exclusive transaction: keep ``head`` (verified, signed as
    ``head_token``) if it extends the one held (``held``, read here when not given)."""
    held = held if held is not None else witnessed_in(conn, partner)
    if held is not None and held.tree_size == head.tree_size:
        if held.root_hash != head.root_hash:
            raise IntegrityFailure(
                f"forked tree head: {partner.partner_id} signed two roots for size {head.tree_size}"
            )
        return
    check_witness(held, head, [bytes.fromhex(p) for p in proof])
    _store_head(conn, head, head_token)


def verified_head(token: str, partner: Partner) -> TreeHead:
    """A partner's signed tree head, its signature checked."""
    return _head(verify(token, {partner.partner_id: partner}, typ=TREE_HEAD).payload)


def witness_partner(node: Node, client: PartnerClient, partner: Partner, head_token: str) -> int:
    """Witness the partner's signed head (fetched with ``client``): consistent with the one held,
    then kept. Its size. On every sync, notice-driven ones included: O(log n) at the partner."""
    size = int(
        verify(head_token, {partner.partner_id: partner}, typ=TREE_HEAD).payload["tree_size"]
    )
    held = held_head(node, partner.partner_id)
    proof = (
        client.consistency(held.tree_size, size)
        if held is not None and 0 < held.tree_size < size
        else []
    )
    return witness(node, partner, head_token, proof).tree_size


def head_document(node: Node, identity: NodeIdentity) -> dict[str, Any]:
    """What ``GET /api/v1/exchange/tree-head`` answers: the signed head and the node's key
    statements (so a partner learns a rotation before it checks what the new key signed)."""
    head, token = signed_tree_head(node, identity)
    return {
        "token": token,
        "tree_size": head.tree_size,
        "root_hash": head.root_hash,
        "key_statements": key_statements(node),
    }


def partner_proofs(
    node: Node,
    identity: NodeIdentity,
    caller: Partner,
    *,
    record_id: str | None = None,
    leaf_index: int | None = None,
) -> dict[str, Any]:
    """Inclusion proofs for a partner, against a head signed now: of one leaf, or of the
    entries about a record that concern the caller (its own exchanges, nothing of others')."""
    head, token = signed_tree_head(node, identity)
    if leaf_index is not None:
        proofs = [prove_leaf(node, leaf_index, size=head.tree_size)]
    else:
        proofs = [
            p
            for p in prove_record(node, str(record_id), size=head.tree_size)
            if p.entry.get("peer") == caller.partner_id
        ]
        if not proofs:
            raise NotFound(f"no log entry about {record_id!r} for {caller.partner_id}")
    return {
        "tree_size": head.tree_size,
        "root_hash": head.root_hash,
        "signed_tree_head": token,
        "proofs": [
            {
                "leaf_index": p.leaf_index,
                "leaf_hash": leaf_hash(canonical(p.entry)).hex(),
                # The entry itself only where it is about the caller; the hash proves the rest.
                "entry": p.entry if p.entry.get("peer") == caller.partner_id else None,
                "proof": p.proof,
            }
            for p in proofs
        ],
    }


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
