"""Keeping the assistance cases in step with the signed records, in the caller's transaction.

Issuing (:mod:`.records`) and receiving (:mod:`.receiving`) call :func:`track` with the records
they store, in the transaction that stores them: a case row never says more or less than the
records held. A request issued here opens or moves an outgoing case; one received opens an
incoming case (``sent_at`` is when it arrived); a reply, from either side, moves the case of the
request it answers (a reply to a request this node does not hold is kept as a record only).
Attachments are stored once by content digest.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, select, update

from borderlink.cooperation.assistance import ANSWERED, attachment_bytes
from borderlink.model.cooperation import (
    AssistanceReply,
    AssistanceRequest,
    Attachment,
    CoopRecord,
    RequestState,
)
from borderlink.store.bulk import insert_dicts
from borderlink.store.cooperation_tables import assistance_attachments, assistance_cases


def track(
    conn: Connection,
    records: Sequence[CoopRecord],
    *,
    me: str,
    now: dt.datetime,
) -> None:
    """Open or move the cases of the assistance records among ``records``."""
    requests = [r for r in records if isinstance(r, AssistanceRequest)]
    replies = [r for r in records if isinstance(r, AssistanceReply)]
    if not requests and not replies:
        return
    for request in requests:
        _request(conn, request, me=me, now=now)
    for reply in replies:
        _reply(conn, reply, now=now)
    files = [a for r in requests for a in r.attachments]
    files += [a for r in replies for a in r.attachments]
    store_attachments(conn, files, now=now)


def _request(conn: Connection, request: AssistanceRequest, *, me: str, now: dt.datetime) -> None:
    outgoing = request.issuer == me
    held = conn.execute(
        select(assistance_cases.c.sent_at).where(assistance_cases.c.request_id == request.id)
    ).first()
    values: dict[str, Any] = {
        "direction": "outgoing" if outgoing else "incoming",
        "reference": request.reference,
        "requester": request.issuer,
        "requested": request.requested,
        "agreement_id": request.agreement_id,
        "measure": request.measure.value,
        "urgency": request.urgency.value,
        "title": request.title,
        "deadline": request.deadline,
        "request_state": request.state.value,
        "draft": None,
        "updated_at": now,
    }
    first_sent = held is None or held.sent_at is None
    if first_sent and request.state == RequestState.SENT:
        values["sent_at"] = request.modified if outgoing else now
    if held is None:
        insert_dicts(conn, assistance_cases, [{"request_id": request.id, **values}])
    else:
        conn.execute(
            update(assistance_cases)
            .where(assistance_cases.c.request_id == request.id)
            .values(values)
        )


def _reply(conn: Connection, reply: AssistanceReply, *, now: dt.datetime) -> None:
    values: dict[str, Any] = {
        "reply_state": reply.state.value,
        "reply_id": reply.id,
        "updated_at": now,
    }
    case = assistance_cases.c
    conn.execute(update(assistance_cases).where(case.request_id == reply.request_id).values(values))
    if reply.state in ANSWERED:  # the first answer counts for the figures, not a correction
        conn.execute(
            update(assistance_cases)
            .where(case.request_id == reply.request_id, case.answered_at.is_(None))
            .values(answered_at=reply.modified)
        )


def store_attachments(conn: Connection, items: Sequence[Attachment], *, now: dt.datetime) -> None:
    """Each attachment's bytes once, under its digest (a digest already held is kept as is)."""
    by_digest = {a.sha256: a for a in items}
    if not by_digest:
        return
    held = set(
        conn.execute(
            select(assistance_attachments.c.sha256).where(
                assistance_attachments.c.sha256.in_(list(by_digest))
            )
        ).scalars()
    )
    rows = [
        {
            "sha256": digest,
            "size": item.size,
            "media_type": item.media_type,
            "content": attachment_bytes(item),
            "stored_at": now,
        }
        for digest, item in sorted(by_digest.items())
        if digest not in held
    ]
    insert_dicts(conn, assistance_attachments, rows)
