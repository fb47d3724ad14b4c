"""Notices that carry what they announce: the new copies, the signed tree head and its proof.

A notice used to say only "your collection grew", and the partner then called back three times
(tree head, a page of objects, a consistency proof), each a signed request checked on both
sides. Now the sender puts in the notice the copies it just released to that partner (the same
page :func:`~borderlink.services.exchange.outbox.released_page` serves), its signed tree head with
its key statements, and the consistency proof from its previous signed head to this one. The
partner applies them (:mod:`.pushed`) as it would a page it pulled, with the same checks, and
makes no call at all when it is where the push starts (its cursor at ``after``) and holds that
previous head.

Whatever the receiver cannot apply from the push alone (it is behind the push's start, the
push says there is more, it holds another head of the sender) it pulls as before, so a push
never loses anything: it only saves the round trips of the usual case. Each copy is a signed
envelope, the head is signed, the proof is checked against both heads, and the request that
carries it all is itself signed (RFC 9421, content digest included).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy import select

from borderlink.errors import BorderLinkError
from borderlink.exchange.client import notice
from borderlink.exchange.identity import NodeIdentity, Partner
from borderlink.services.cooperation.partners import known_partners
from borderlink.services.exchange.calls import partner_client
from borderlink.services.exchange.log import consistency, head_document
from borderlink.services.exchange.outbox import released_page
from borderlink.services.node import Node
from borderlink.store.cooperation_tables import released, tree_heads

MAX_NOTICES_AT_ONCE = 16  # threads sending notices at once (each waits on one partner)
MAX_PUSHED = 100  # copies one notice carries at most; a partner further behind pulls the rest


@dataclass(frozen=True)
class HeadProof:
    """The sender's signed head now, and how it extends the head it signed before."""

    head: dict[str, Any]  # what GET /api/v1/exchange/tree-head answers
    since: int  # the size of the previous signed head (0: none)
    proof: list[str]  # consistency proof from ``since`` to the head's size


def head_with_proof(node: Node, identity: NodeIdentity) -> HeadProof:
    """Signed once per notice round, for every partner: the head and its consistency proof."""
    head = head_document(node, identity)
    size = int(head["tree_size"])
    with node.read() as conn:
        since = conn.execute(
            select(tree_heads.c.tree_size)
            .where(tree_heads.c.node_id == identity.node_id, tree_heads.c.tree_size < size)
            .order_by(tree_heads.c.tree_size.desc())
            .limit(1)
        ).scalar()
    since = int(since or 0)
    proof = consistency(node, since, size) if 0 < since < size else []
    return HeadProof(head, since, proof)


def push_for(
    node: Node, partner_id: str, latest: int, fresh: int, head: HeadProof
) -> dict[str, Any]:
    """What the notice to ``partner_id`` carries: its ``fresh`` newest copies up to ``latest``."""
    count = min(max(fresh, 0), MAX_PUSHED)
    with node.read() as conn:
        seqs = list(
            conn.execute(
                select(released.c.seq)
                .where(released.c.partner_id == partner_id, released.c.seq <= latest)
                .order_by(released.c.seq.desc())
                .limit(count + 1)
            ).scalars()
        )
    after = int(seqs[count]) if len(seqs) > count else 0
    page = released_page(node, partner_id, after=after, limit=max(count, 1))
    return {
        "after": after,
        "next": page.last_seq,
        "more": page.more or fresh > MAX_PUSHED,
        "envelopes": [row.envelope for row in page.rows],
        "head": head.head,
        "consistency": {"first": head.since, "proof": head.proof},
    }


def notify_partners(
    node: Node,
    identity: NodeIdentity,
    latest: Mapping[str, int],
    transport_for: Callable[[Partner], httpx.BaseTransport | None] | None = None,
    *,
    fresh: Mapping[str, int] | None = None,
) -> dict[str, str | None]:
    """Tell each partner its collection grew to ``latest[partner]``; why each notice failed
    (None: it was accepted). A partner that missed one still gets the copies on its next poll.

    ``fresh``: how many copies each partner was just released; the notice carries them, with
    this node's signed tree head and its consistency proof (:mod:`.push`), so the partner
    need not call back for them.
    """
    if not latest:
        return {}
    partners = {p.partner_id: p for p in known_partners(node)}
    head = head_with_proof(node, identity) if fresh is not None else None

    def send(partner_id: str) -> str | None:
        partner = partners[partner_id]
        token = notice(identity, partner_id, latest[partner_id], dt.datetime.now(dt.UTC))
        try:
            carried = None
            if head is not None and fresh is not None:
                count = fresh.get(partner_id, 0)
                carried = push_for(node, partner_id, latest[partner_id], count, head)
            with partner_client(
                node, identity, partner, transport_for(partner) if transport_for else None
            ) as client:
                client.notify(token, carried)
        except BorderLinkError as error:
            return error.detail
        return None

    # All partners at once: each notice waits on its partner's answer, and one after another
    # the last partner heard of the record only once every other partner had answered.
    with ThreadPoolExecutor(max_workers=min(MAX_NOTICES_AT_ONCE, len(latest))) as pool:
        return dict(zip(latest, pool.map(send, latest), strict=True))
