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
from borderlink.exchange.envelope import digest
from borderlink.exchange.merkle_log import TreeHead
from borderlink.services.cooperation.partners import get_partner
from borderlink.services.cooperation.receiving import receive_all
from borderlink.services.exchange.keys import accept_key_statements
from borderlink.services.exchange.log import (
    exclusive,
    keep_witnessed,
    verified_head,
    witnessed_in,
)
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
    """Take a partner's pushed copies and witness its head, as a pulled page would be taken,
    in one transaction.

    None when the push alone does not do (this node is behind where it starts, it says there is
    more, or its proof starts from another head than the one held): the caller pulls then, from
    the cursor as this leaves it.
    """
    partner = get_partner(node, partner_id)
    if push.key_statements:
        partner = accept_key_statements(node, partner_id, push.key_statements)
    head = verified_head(push.head_token, partner)
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
        held = witnessed_in(conn, partner)
        proof = _proof_from(held, head, push)
        if push.more or proof is None:
            return None
        keep_witnessed(conn, partner, head, push.head_token, proof, held)
    result.witnessed_size = head.tree_size
    return result


def _proof_from(held: TreeHead | None, head: TreeHead, push: Push) -> list[str] | None:
    """The proof that ``head`` extends the one held: none needed, the pushed one, or None when
    the pushed proof starts from another head (a pull asks for the right one)."""
    if held is None or held.tree_size >= head.tree_size:
        return []  # nothing to prove from, or the same size (compared) or a shrink (refused)
    return push.proof if held.tree_size == push.since else None
