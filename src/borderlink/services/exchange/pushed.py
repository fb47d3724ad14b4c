"""Taking what a partner's notice carries (:mod:`.push`): its new copies, its signed tree head
and the consistency proof from its previous head, applied as a pulled page would be.

When the push alone does not do (this node is behind where the push starts, the push says there
is more, or this node holds another of the partner's heads than the proof starts from), the
caller pulls as before (:func:`~borderlink.services.exchange.sync.sync_partner`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from borderlink.errors import IntegrityFailure
from borderlink.exchange.envelope import TREE_HEAD, digest, verify
from borderlink.exchange.identity import Partner
from borderlink.services.cooperation.partners import get_partner
from borderlink.services.cooperation.receiving import receive_all
from borderlink.services.exchange.keys import accept_key_statements
from borderlink.services.exchange.log import exclusive, held_head, witness
from borderlink.services.exchange.quarantine import keep
from borderlink.services.exchange.sync import SyncResult, cursor, save_cursor
from borderlink.services.node import Node


@dataclass(frozen=True)
class Push:
    """A push as received, its shape checked (what it says is checked as it is applied)."""

    after: int
    next: int | None
    more: bool
    envelopes: list[str]
    head_token: str
    key_statements: list[str]
    since: int
    proof: list[str]


def parse_push(body: Mapping[str, Any]) -> Push:
    """The push in a notice body; :class:`IntegrityFailure` if it is malformed."""
    try:
        head, proof = body["head"], body["consistency"]
        push = Push(
            after=int(body["after"]),
            next=None if body.get("next") is None else int(body["next"]),
            more=bool(body.get("more")),
            envelopes=[str(e) for e in body["envelopes"]],
            head_token=str(head["token"]),
            key_statements=[str(s) for s in head.get("key_statements") or []],
            since=int(proof["first"]),
            proof=[str(p) for p in proof["proof"]],
        )
    except (KeyError, TypeError, ValueError) as error:
        raise IntegrityFailure(f"malformed push in the notice: {error}") from error
    return push


def apply_push(node: Node, partner_id: str, push: Push) -> SyncResult | None:
    """Take a partner's pushed copies and witness its head, as a pulled page would be taken.

    None when the push alone does not do (this node is behind where it starts, or it says
    there is more): the caller pulls then, from the cursor as this leaves it.
    """
    partner = get_partner(node, partner_id)
    if push.key_statements:
        partner = accept_key_statements(node, partner_id, push.key_statements)
    result = SyncResult(partner_id)
    with exclusive(node) as conn:
        result.cursor = cursor(conn, partner_id)
        if result.cursor < push.after:
            return None  # a gap before the push: the pull fills it
        if push.next is not None and push.next > result.cursor:
            summary = receive_all(conn, node, push.envelopes, actor=f"push:{partner_id}")
            # The cursor passes only what was accepted or is kept in quarantine.
            keep(conn, partner_id, summary.rejected, dt.datetime.now(dt.UTC))
            result.cursor = push.next
            save_cursor(conn, partner_id, result.cursor)
            result.pages = 1
            result.accepted = len(summary.accepted)
            result.duplicates = summary.duplicates
            result.rejected.update({digest(t): e.detail for t, e in summary.rejected})
    if push.more:
        return None
    size = witness_pushed(node, partner, push)
    if size is None:
        return None
    result.witnessed_size = size
    return result


def witness_pushed(node: Node, partner: Partner, push: Push) -> int | None:
    """Witness the pushed head with the pushed proof; None if that proof is not from the head
    this node holds (the caller then witnesses through a pull, asking for the right proof)."""
    claims = verify(push.head_token, {partner.partner_id: partner}, typ=TREE_HEAD).payload
    size = int(claims["tree_size"])
    held = held_head(node, partner.partner_id)
    if held is None or held.tree_size == size:
        proof: list[str] = []
    elif held.tree_size == push.since:
        proof = push.proof
    else:
        return None
    return witness(node, partner, push.head_token, proof).tree_size
