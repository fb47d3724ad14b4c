"""Envelopes a sync (or a push) could not accept: kept with the reason, shown to people, retried.

A sync never moves its cursor past an envelope that was neither accepted nor quarantined
(:func:`keep` runs in the same transaction as the cursor move). Each sync first retries what
the partner's quarantine holds, so an envelope refused for a cause since fixed (a clock
skewed, an agreement not yet in force on this side, the partner's copy of the agreement not
yet received) is accepted without anyone asking; :func:`retry` does the same on demand.
A tampered envelope stays, visible, until someone decides about it.

:func:`list_quarantine` and :func:`retry` need ``sharing:outgoing``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from pydantic import BaseModel
from sqlalchemy import Connection, delete, func, select

from borderlink.errors import InvalidInput
from borderlink.exchange.envelope import digest
from borderlink.services.accounts.access import Permission, Principal, require
from borderlink.services.accounts.audit import record as audit
from borderlink.services.cooperation.receiving import receive_all
from borderlink.services.declarations.read import MAX_PAGE, Page
from borderlink.services.exchange.log import exclusive
from borderlink.services.exchange.quarantine_store import keep as keep
from borderlink.services.node import Node
from borderlink.store.cooperation_tables import quarantine


class QuarantinedView(BaseModel):
    digest: str
    partner_id: str
    code: str
    reason: str
    attempts: int
    first_seen: dt.datetime
    last_tried: dt.datetime


@dataclass
class RetryResult:
    accepted: list[str] = field(default_factory=list)  # digests now accepted (or already held)
    refused: dict[str, str] = field(default_factory=dict)  # digest -> why, still kept


def retry_held(conn: Connection, node: Node, partner_id: str, *, actor: str) -> RetryResult:
    """Offer ``partner_id``'s quarantined envelopes again, in the caller's exclusive transaction."""
    tokens = [
        r.envelope
        for r in conn.execute(
            select(quarantine.c.envelope)
            .where(quarantine.c.partner_id == partner_id)
            .order_by(quarantine.c.first_seen, quarantine.c.digest)
        )
    ]
    result = RetryResult()
    if not tokens:
        return result
    summary = receive_all(conn, node, tokens, actor=actor)
    refused = {digest(t): e for t, e in summary.rejected}
    done = [digest(t) for t in tokens if digest(t) not in refused]
    if done:
        conn.execute(delete(quarantine).where(quarantine.c.digest.in_(done)))
    keep(conn, partner_id, summary.rejected, dt.datetime.now(dt.UTC))
    result.accepted = done
    result.refused = {d: e.detail for d, e in refused.items()}
    return result


def retry(node: Node, principal: Principal, *, partner_id: str | None = None) -> RetryResult:
    """Offer the quarantined envelopes (of one partner, or all) again; audited."""
    require(principal, Permission.SHARING_OUTGOING)
    with node.read() as conn:
        query = select(quarantine.c.partner_id).distinct()
        if partner_id is not None:
            query = query.where(quarantine.c.partner_id == partner_id)
        senders = sorted(r.partner_id for r in conn.execute(query))
    result = RetryResult()
    for sender in senders:
        with exclusive(node) as conn:
            one = retry_held(conn, node, sender, actor=principal.username)
            audit(
                conn,
                actor=principal.username,
                action="quarantine.retry",
                object_type="partner",
                object_id=sender,
                details={"accepted": one.accepted, "refused": one.refused},
            )
        result.accepted += one.accepted
        result.refused.update(one.refused)
    return result


def list_quarantine(
    node: Node, principal: Principal, *, limit: int = 50, offset: int = 0
) -> Page[QuarantinedView]:
    """Quarantined envelopes with the reason of their last refusal, the oldest first."""
    require(principal, Permission.SHARING_OUTGOING)
    if not 1 <= limit <= MAX_PAGE or offset < 0:
        raise InvalidInput(f"limit is 1 to {MAX_PAGE}, offset 0 or more", field="limit")
    with node.read() as conn:
        total = conn.execute(select(func.count()).select_from(quarantine)).scalar_one()
        rows = conn.execute(
            select(quarantine)
            .order_by(quarantine.c.first_seen, quarantine.c.digest)
            .limit(limit)
            .offset(offset)
        ).all()
    items = [
        QuarantinedView(
            digest=r.digest,
            partner_id=r.partner_id,
            code=r.code,
            reason=r.reason,
            attempts=r.attempts,
            first_seen=_aware(r.first_seen),
            last_tried=_aware(r.last_tried),
        )
        for r in rows
    ]
    return Page[QuarantinedView](items=items, total=total, limit=limit, offset=offset)


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
