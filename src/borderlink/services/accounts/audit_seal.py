"""The audit log chained into the node's verifiable log: seal, verify, prove.

Writing an audit entry (:func:`borderlink.services.accounts.audit.record`) stays one INSERT in the
caller's transaction: reads of nominal data are audited on the hot path, and must not wait for
the log's lock. Sealing comes after, in bulk: it appends one leaf per audit entry not yet chained
(``{"kind": "audit", "record_id": "audit:<id>", "digest": <SHA-256 of the entry>}``, the shape
of the exchange's own entries: a digest, not the entry's content, so nominal details stay in
``audit_log``) and keeps which entry is which leaf in ``audit_chain``. ``audit_log`` is never
updated. Once a signed tree head covers a leaf (``borderlink audit seal``, ``log head``, or a
partner fetching the head), changing or dropping the entry is detectable by :func:`verify_audit`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Connection, exists, func, insert, select
from sqlalchemy.exc import IntegrityError

from borderlink.errors import ConfigurationError, Conflict, IntegrityFailure, NotFound
from borderlink.exchange.envelope import canonical
from borderlink.exchange.identity import NodeIdentity
from borderlink.exchange.merkle_log import TreeHead, leaf_hash
from borderlink.exchange.stix import timestamp
from borderlink.services.accounts.access import Permission, Principal, require
from borderlink.services.cooperation.partners import node_identity
from borderlink.services.declarations.browse import AuditEntry, audit_entry
from borderlink.services.exchange.log import append as append_leaves
from borderlink.services.exchange.log import (
    exclusive,
    held_head,
    inclusion,
    signed_tree_head,
    verify_log,
)
from borderlink.services.exchange.log import tree_size as log_size
from borderlink.services.node import Node
from borderlink.store.cooperation_tables import log_leaves, tree_heads
from borderlink.store.tables import audit_chain, audit_log

KIND = "audit"
CHUNK = 1_000  # entries per transaction: the log's lock is held for one chunk at a time
# A background seal looks for unchained entries only this far below the newest chained one, so
# each round reads a bounded range instead of the whole audit log. An entry whose transaction
# commits after this many newer entries were sealed waits for a full seal (the CLI's, and the
# server's first round); verify_audit counts it as unchained meanwhile.
WINDOW = 10_000
SEALER = Principal.system("sealer")  # the background rounds that seal the audit log


def record_id(entry_id: int) -> str:
    return f"{KIND}:{entry_id}"


def entry_document(row: Any) -> dict[str, Any]:
    """The audit entry as the canonical dict its digest is taken over."""
    at: dt.datetime = row.at
    return {
        "entry_id": row.entry_id,
        # SQLite hands back naive datetimes, in UTC as written; PostgreSQL aware ones.
        "at": timestamp(at if at.tzinfo else at.replace(tzinfo=dt.UTC)),
        "actor": row.actor,
        "action": row.action,
        "object_type": row.object_type,
        "object_id": row.object_id,
        "reason": row.reason,
        "details": row.details,
    }


def leaf_entry(row: Any) -> dict[str, Any]:
    """The log entry (leaf) for one audit row."""
    return {
        "kind": KIND,
        "record_id": record_id(row.entry_id),
        "digest": hashlib.sha256(canonical(entry_document(row))).hexdigest(),
    }


def _leaf_hex(row: Any) -> str:
    return leaf_hash(canonical(leaf_entry(row))).hex()


def own_identity(node: Node) -> NodeIdentity | None:
    """The node's signing identity, or None where no key was made (``borderlink node init``)."""
    try:
        return node_identity(node)
    except ConfigurationError:
        return None


# --- sealing ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SealReport:
    chained: int  # entries chained by this seal
    head: TreeHead | None  # the signed head after it, when one was signed


def seal(
    node: Node,
    *,
    principal: Principal = SEALER,
    limit: int | None = None,
    window: int | None = None,
    identity: NodeIdentity | None = None,
    chunk: int = CHUNK,
) -> SealReport:
    """Chain audit entries not yet in the log (oldest first); sign a tree head with ``identity``.

    ``window``: look only that far below the newest chained entry (the background rounds);
    None looks through the whole audit log. Sealing twice chains nothing twice (``audit_chain``
    is keyed by entry); sealers in one process, or on PostgreSQL in any process, take turns
    (``exclusive``); two processes on one SQLite file may collide, and the loser says so.
    """
    require(principal, Permission.AUDIT_READ)
    done = 0
    while limit is None or done < limit:
        take = chunk if limit is None else min(chunk, limit - done)
        try:
            with exclusive(node) as conn:
                rows = _unchained(conn, take, window)
                if rows:
                    indices = append_leaves(conn, [leaf_entry(r) for r in rows])
                    conn.execute(
                        insert(audit_chain),
                        [
                            {"entry_id": r.entry_id, "leaf_index": i}
                            for r, i in zip(rows, indices, strict=True)
                        ],
                    )
        except IntegrityError as error:
            raise Conflict(
                "another process appended to the log at the same time; seal again"
            ) from error
        done += len(rows)
        if len(rows) < take:
            break
    # When nothing was chained and the log did not grow, this is the head already held: no
    # subtree is read and nothing is signed again (signed_tree_head returns it as it is).
    head = signed_tree_head(node, identity)[0] if identity is not None else None
    return SealReport(done, head)


def _unchained(conn: Connection, take: int, window: int | None) -> list[Any]:
    c = audit_log.c
    query = select(audit_log).where(~exists().where(audit_chain.c.entry_id == c.entry_id))
    if window is not None:
        newest = conn.execute(select(func.max(audit_chain.c.entry_id))).scalar_one()
        if newest is not None:
            query = query.where(c.entry_id > newest - window)
    return list(conn.execute(query.order_by(c.entry_id).limit(take)).all())


# --- verifying --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Mismatch:
    entry_id: int
    leaf_index: int | None
    problem: str


@dataclass(frozen=True)
class AuditReport:
    entries: int  # in audit_log
    chained: int
    unchained: int  # not sealed yet
    committed: int  # chained entries covered by the latest signed tree head
    tree_size: int
    head_size: int  # the latest signed head of this node (0: none)
    mismatches: list[Mismatch] = field(default_factory=list)
    log_problem: str | None = None

    @property
    def ok(self) -> bool:
        return not self.mismatches and self.log_problem is None


def _orphan(index: int, record_id: str) -> Mismatch:
    number = record_id.removeprefix(f"{KIND}:")
    return Mismatch(
        int(number) if number.isdigit() else -1,
        index,
        f"leaf {index} is in no chain row: chained again, or unlinked",
    )


def verify_audit(
    node: Node, public_key: str | None = None, *, principal: Principal = SEALER
) -> AuditReport:
    """Recompute every chained entry's leaf from its audit row; check the log and its heads.

    ``public_key``: the node's; without it, signed heads cannot be checked (a problem if any).
    """
    require(principal, Permission.AUDIT_READ)
    mismatches: list[Mismatch] = []
    chained = committed = 0
    head = held_head(node, node.settings.node_id)
    head_size = head.tree_size if head else 0
    with node.read() as conn:
        entries = conn.execute(select(func.count()).select_from(audit_log)).scalar_one()
        unchained = conn.execute(
            select(func.count())
            .select_from(audit_log)
            .where(~exists().where(audit_chain.c.entry_id == audit_log.c.entry_id))
        ).scalar_one()
        tree_size = conn.execute(select(func.count()).select_from(log_leaves)).scalar_one()
        for row in conn.execution_options(yield_per=CHUNK).execute(_chain_query()):
            chained += 1
            committed += row.leaf_index < head_size
            problem = _problem(row)
            if problem:
                mismatches.append(Mismatch(row.chained_id, row.leaf_index, problem))
        orphans = conn.execute(_orphans_query()).all()
        own_heads = conn.execute(
            select(func.count())
            .select_from(tree_heads)
            .where(tree_heads.c.node_id == node.settings.node_id)
        ).scalar_one()
    mismatches += [_orphan(index, rid) for index, rid in orphans]
    return AuditReport(
        entries=entries,
        chained=chained,
        unchained=unchained,
        committed=committed,
        tree_size=tree_size,
        head_size=head_size,
        mismatches=sorted(mismatches, key=lambda m: (m.entry_id, m.leaf_index or 0)),
        log_problem=_log_problem(node, public_key, own_heads),
    )


def _chain_query() -> Any:
    """Each chain row with its audit entry and its leaf (either may be gone)."""
    return (
        select(
            audit_chain.c.entry_id.label("chained_id"),
            audit_chain.c.leaf_index,
            audit_log,
            log_leaves.c.leaf_index.label("leaf_found"),
            log_leaves.c.record_id.label("leaf_record"),
            log_leaves.c.leaf_hash,
            log_leaves.c.entry.label("leaf"),
        )
        .select_from(
            audit_chain.outerjoin(
                audit_log, audit_log.c.entry_id == audit_chain.c.entry_id
            ).outerjoin(log_leaves, log_leaves.c.leaf_index == audit_chain.c.leaf_index)
        )
        .order_by(audit_chain.c.entry_id)
    )


def _orphans_query() -> Any:
    """Audit leaves that no chain row points at."""
    return (
        select(log_leaves.c.leaf_index, log_leaves.c.record_id)
        .where(
            log_leaves.c.record_id.startswith(f"{KIND}:"),
            ~exists().where(audit_chain.c.leaf_index == log_leaves.c.leaf_index),
        )
        .order_by(log_leaves.c.leaf_index)
    )


def _problem(row: Any) -> str | None:
    index = row.leaf_index
    if row.entry_id is None:
        return "the audit entry was deleted after it was chained"
    if row.leaf_found is None:
        return f"its leaf {index} is missing from the log"
    if row.leaf_record != record_id(row.entry_id):
        return f"leaf {index} is about {row.leaf_record}, not this entry"
    if leaf_hash(canonical(row.leaf)).hex() != row.leaf_hash:
        return f"leaf {index} was altered: its hash does not match its entry"
    if _leaf_hex(row) != row.leaf_hash:
        return "the audit entry was altered after it was chained: it no longer matches its leaf"
    return None


def _log_problem(node: Node, public_key: str | None, own_heads: int) -> str | None:
    if public_key is None and own_heads:
        return f"no node key: {own_heads} signed tree head(s) of this node cannot be checked"
    try:
        # Without a key there is no head of this node to check, so the key is never used.
        verify_log(node, public_key or "")
    except IntegrityFailure as failure:
        return failure.detail
    return None


# --- proving ----------------------------------------------------------------------------------


class AuditProof(BaseModel):
    """An audit entry's inclusion proof (RFC 9162) in a tree of the node's verifiable log."""

    entry: AuditEntry
    leaf_index: int
    leaf: dict[str, Any]  # the log entry: kind, record_id, digest of the audit entry
    tree_size: int
    root_hash: str
    proof: list[str]  # hex, audit path from the leaf to the root
    signed_tree_head: str | None  # compact JWS of the head (None: the node has no key)


def prove_entry(node: Node, principal: Principal, entry_id: int) -> AuditProof:
    """Prove one chained entry against this node's latest signed head that covers it.

    A new head is signed only when the entry is newer than the latest one, so asking for
    proofs does not multiply heads.
    """
    require(principal, Permission.AUDIT_READ)
    with node.read() as conn:
        row = conn.execute(
            select(audit_log, audit_chain.c.leaf_index)
            .select_from(audit_log.outerjoin(audit_chain))
            .where(audit_log.c.entry_id == entry_id)
        ).first()
        if row is None:
            raise NotFound(f"no audit entry {entry_id}", field="entry_id")
        if row.leaf_index is None:
            raise NotFound(
                f"audit entry {entry_id} is not chained yet: the next seal chains it",
                field="entry_id",
            )
        stored = conn.execute(
            select(log_leaves.c.leaf_hash).where(log_leaves.c.leaf_index == row.leaf_index)
        ).scalar_one_or_none()
        head, token = _covering_head(conn, node, row.leaf_index)
    if head is None:
        identity = own_identity(node)
        if identity is not None:
            head, token = signed_tree_head(node, identity)
    if stored != _leaf_hex(row):
        raise IntegrityFailure(
            f"audit entry {entry_id} does not match its leaf {row.leaf_index}", field="entry_id"
        )
    with node.read() as conn:
        size = head.tree_size if head is not None else log_size(conn)
        proof, top = inclusion(conn, row.leaf_index, size)  # O(log n) stored subtrees
    if head is not None and head.root_hash != top.hex():
        raise IntegrityFailure(f"the log no longer matches its signed head at {head.tree_size}")
    return AuditProof(
        entry=audit_entry(row),
        leaf_index=row.leaf_index,
        leaf=leaf_entry(row),
        tree_size=size,
        root_hash=top.hex(),
        proof=[p.hex() for p in proof],
        signed_tree_head=token,
    )


def _covering_head(
    conn: Connection, node: Node, leaf_index: int
) -> tuple[TreeHead | None, str | None]:
    held = conn.execute(
        select(tree_heads)
        .where(tree_heads.c.node_id == node.settings.node_id)
        .order_by(tree_heads.c.tree_size.desc())
        .limit(1)
    ).first()
    if held is None or held.tree_size <= leaf_index:
        return None, None
    return TreeHead(held.node_id, held.tree_size, held.root_hash, ""), held.signed
