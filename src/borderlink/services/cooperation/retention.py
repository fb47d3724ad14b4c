"""Retention: what partners sent is kept only as long as the agreement it came under allows.

:func:`purge_expired` deletes received records past their agreement's retention limit, and
those received under an agreement that has ended once its ``retain_after_end_days`` have passed
(moving an agreement to expired runs it at once). The receipts and log entries stay, so the
node can still prove what it received and when, without keeping the content.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Connection, delete, insert, select

from borderlink.cooperation.agreements import parse_agreement, withdrawal_due
from borderlink.services.accounts.access import Permission, Principal, require
from borderlink.services.exchange.log import append, exclusive
from borderlink.services.node import Node
from borderlink.store.cooperation_tables import agreements, coop_records, partner_alerts, received
from borderlink.store.tables import audit_log

RETENTION = Principal.system("retention")  # the background actor of retention


def purge_expired(
    node: Node, *, today: dt.date | None = None, principal: Principal = RETENTION
) -> int:
    """Delete received records kept longer than their agreement lets them be kept: past its
    retention limit, or once the agreement has ended and its ``retain_after_end_days`` passed.

    What stays: the receipt (sender, nonce, digest) and the log entries, so the node can still
    prove what it received and when, without keeping the content.
    """
    require(principal, Permission.SHARING_OUTGOING)
    actor = principal.username
    day = today or dt.datetime.now(dt.UTC).date()
    now = dt.datetime.now(dt.UTC)
    with exclusive(node) as conn:
        held = conn.execute(
            select(agreements.c.agreement_id, agreements.c.updated_at, agreements.c.document)
        ).all()
        changed = {r.agreement_id: r.updated_at.date() for r in held}
        terms = {r.agreement_id: parse_agreement(r.document) for r in held}
        ended = {aid for aid, a in terms.items() if withdrawal_due(a, changed[aid], day)}
        limits = {aid: a.retention_days for aid, a in terms.items() if a.retention_days}
        if not limits and not ended:
            return 0
        rows = conn.execute(
            select(
                coop_records.c.record_id,
                coop_records.c.stored_at,
                coop_records.c.document,
                received.c.agreement_id,
            )
            .join(received, received.c.record_id == coop_records.c.record_id)
            .where(
                coop_records.c.received_from.is_not(None),
                received.c.agreement_id.in_(list(set(limits) | ended)),
            )
        ).all()
        expired: dict[str, tuple[str, dict[str, Any], str]] = {}
        for r in rows:
            if r.agreement_id in ended:
                expired[r.record_id] = (r.agreement_id, r.document, "agreement ended")
            elif r.stored_at.date() + dt.timedelta(days=limits[r.agreement_id]) < day:
                expired[r.record_id] = (r.agreement_id, r.document, "retention limit")
        if expired:
            _purge(conn, actor, now, expired)
    return len(expired)


def _purge(
    conn: Connection,
    actor: str,
    now: dt.datetime,
    expired: dict[str, tuple[str, dict[str, Any], str]],
) -> None:
    ids = list(expired)
    conn.execute(delete(coop_records).where(coop_records.c.record_id.in_(ids)))
    conn.execute(delete(partner_alerts).where(partner_alerts.c.alert_id.in_(ids)))
    append(
        conn,
        [
            {"kind": "purged", "record_id": rid, "version": doc["modified"], "agreement": aid}
            for rid, (aid, doc, _why) in expired.items()
        ],
    )
    conn.execute(
        insert(audit_log),
        [
            {
                "at": now,
                "actor": actor,
                "action": "retention.purge",
                "object_type": None,
                "object_id": None,
                "reason": f"{why} of agreement {aid}",
                "details": {"record_id": rid},
            }
            for rid, (aid, _doc, why) in expired.items()
        ],
    )
