"""What people read of mutual assistance: the work lists, one request in full, the figures.

The requested node's work list (``incoming``) shows each partner's request with its deadline,
state and the days left; the requesting node's (``outgoing``) the days waited. Reminders are
worked out on reading (due soon, overdue), never stored. Nominal fields (trader ids, the
history attached to a reply) are masked for a reader without ``nominal:read``, and showing them
is audited. All reads need ``assistance:read``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel
from sqlalchemy import func, select

from borderlink.cooperation.assistance import (
    CaseFacts,
    PartnerFigures,
    case_state,
    figures,
    reminder,
)
from borderlink.errors import InvalidInput, NotFound
from borderlink.services.accounts.access import Permission, Principal, require, sees_nominal
from borderlink.services.cooperation.sharing import audit_nominal_shown, flat_view, mask_nominal
from borderlink.services.declarations.read import MAX_PAGE, Page
from borderlink.services.node import Node
from borderlink.store.cooperation_tables import (
    assistance_attachments,
    assistance_cases,
    coop_records,
    released,
)

Direction = Literal["incoming", "outgoing"]


class CaseView(BaseModel):
    """One request in a work list."""

    request_id: str
    reference: str
    direction: str
    partner: str  # the other node: requested (outgoing) or requester (incoming)
    agreement_id: str
    measure: str
    urgency: str
    title: str
    deadline: dt.date
    state: str
    reminder: str | None  # due-soon, overdue
    sent_at: dt.datetime | None  # sent (outgoing), received (incoming)
    answered_at: dt.datetime | None
    days_left: int  # to the deadline (negative: past it)
    days_waited: float | None  # since sent, until answered or now


class CaseDetail(BaseModel):
    case: CaseView
    request: dict[str, Any] | None  # the request as held (a draft's fields until sent)
    reply: dict[str, Any] | None
    reply_removed: list[dict[str, Any]]  # what the policy took out of the reply as sent
    attachments: list[dict[str, Any]]  # name, sha256, size, media_type (request's and reply's)
    masked: list[str]


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _view(row: Any, now: dt.datetime, days_before: int) -> CaseView:
    incoming = row.direction == "incoming"
    state = case_state(row.request_state, row.reply_state, incoming=incoming)
    sent, answered = _aware(row.sent_at), _aware(row.answered_at)
    waited = ((answered or now) - sent).total_seconds() / 86400 if sent else None
    return CaseView(
        request_id=row.request_id,
        reference=row.reference,
        direction=row.direction,
        partner=row.requester if incoming else row.requested,
        agreement_id=row.agreement_id,
        measure=row.measure,
        urgency=row.urgency,
        title=row.title,
        deadline=row.deadline,
        state=state,
        reminder=reminder(state, row.deadline, now.date(), days_before=days_before),
        sent_at=sent,
        answered_at=answered,
        days_left=(row.deadline - now.date()).days,
        days_waited=round(waited, 2) if waited is not None else None,
    )


def work_list(
    node: Node,
    principal: Principal,
    direction: Direction,
    *,
    open_only: bool = False,
    limit: int = 50,
    offset: int = 0,
) -> Page[CaseView]:
    """Requests received from partners (``incoming``) or sent to them (``outgoing``), the
    nearest deadline first; ``open_only`` leaves out the answered, refused and withdrawn."""
    require(principal, Permission.ASSISTANCE_READ)
    if direction not in ("incoming", "outgoing"):
        raise InvalidInput("direction is incoming or outgoing", field="direction")
    if not 1 <= limit <= MAX_PAGE or offset < 0:
        raise InvalidInput(f"limit is 1 to {MAX_PAGE}, offset 0 or more", field="limit")
    c = assistance_cases.c
    query = select(assistance_cases).where(c.direction == direction)
    if open_only:
        query = query.where(
            c.request_state.in_(("draft", "sent")),
            c.reply_state.is_(None)
            | c.reply_state.in_(("received", "acknowledged", "in_progress")),
        )
    now = dt.datetime.now(dt.UTC)
    days = node.settings.assistance_reminder_days
    with node.read() as conn:
        total = conn.execute(select(func.count()).select_from(query.subquery())).scalar_one()
        rows = conn.execute(
            query.order_by(c.deadline, c.request_id).limit(limit).offset(offset)
        ).all()
    items = [_view(r, now, days) for r in rows]
    return Page[CaseView](items=items, total=total, limit=limit, offset=offset)


def reminders(node: Node, principal: Principal) -> list[CaseView]:
    """Open requests, both ways, whose deadline is near or past: what to chase or to answer."""
    require(principal, Permission.ASSISTANCE_READ)
    now = dt.datetime.now(dt.UTC)
    days = node.settings.assistance_reminder_days
    horizon = now.date() + dt.timedelta(days=days)
    c = assistance_cases.c
    with node.read() as conn:
        rows = conn.execute(
            select(assistance_cases)
            .where(c.deadline <= horizon, c.request_state == "sent")
            .order_by(c.deadline, c.request_id)
        ).all()
    views = [_view(r, now, days) for r in rows]
    return [v for v in views if v.reminder]


def case_detail(node: Node, principal: Principal, request_id: str) -> CaseDetail:
    """One request with its reply as held here; what the reply lost to the policy, as sent."""
    require(principal, Permission.ASSISTANCE_READ)
    nominal = sees_nominal(principal)
    now = dt.datetime.now(dt.UTC)
    with node.transaction() as conn:
        row = conn.execute(
            select(assistance_cases).where(assistance_cases.c.request_id == request_id)
        ).first()
        if row is None:
            raise NotFound(f"no assistance request {request_id!r}", field="request_id")
        docs = dict(
            conn.execute(
                select(coop_records.c.record_id, coop_records.c.document).where(
                    coop_records.c.record_id.in_([request_id, row.reply_id or ""])
                )
            ).all()
        )
        request, masked = _shown(docs.get(request_id), nominal)
        reply, masked_reply = _shown(docs.get(row.reply_id or ""), nominal)
        if request is None and row.draft:
            request = dict(row.draft)
        removed = _removed(conn, row) if row.direction == "incoming" else []
        audit_nominal_shown(conn, principal, nominal, "assistance.show", [request_id])
    files = [
        {k: a[k] for k in ("name", "sha256", "size", "media_type") if k in a}
        for doc in (request, reply)
        if doc
        for a in doc.get("attachments", [])
        if isinstance(a, dict)
    ]
    return CaseDetail(
        case=_view(row, now, node.settings.assistance_reminder_days),
        request=request,
        reply=reply,
        reply_removed=removed,
        attachments=files,
        masked=sorted({*masked, *masked_reply}),
    )


def _shown(doc: dict[str, Any] | None, nominal: bool) -> tuple[dict[str, Any] | None, list[str]]:
    if doc is None:
        return None, []
    view, masked = mask_nominal(flat_view(doc), nominal)
    for item in view.get("attachments", []) or []:
        if isinstance(item, dict):
            item.pop("content", None)  # the bytes are read one file at a time
    return view, masked


def _removed(conn: Any, row: Any) -> list[dict[str, Any]]:
    if not row.reply_id:
        return []
    found = conn.execute(
        select(released.c.removed)
        .where(released.c.record_id == row.reply_id, released.c.partner_id == row.requester)
        .order_by(released.c.seq.desc())
        .limit(1)
    ).first()
    return list(found.removed) if found else []


def attachment_content(node: Node, principal: Principal, sha256: str) -> tuple[bytes, str]:
    """The bytes and media type of an attachment held here, by its digest."""
    require(principal, Permission.ASSISTANCE_READ)
    with node.read() as conn:
        row = conn.execute(
            select(assistance_attachments).where(assistance_attachments.c.sha256 == sha256)
        ).first()
    if row is None:
        raise NotFound(f"no attachment {sha256!r}", field="sha256")
    return bytes(row.content), str(row.media_type)


def partner_figures(node: Node, principal: Principal) -> list[PartnerFigures]:
    """Per partner: requests sent and received, median answer time, share answered in time."""
    require(principal, Permission.ASSISTANCE_READ)
    c = assistance_cases.c
    with node.read() as conn:
        rows = conn.execute(
            select(
                c.direction, c.requester, c.requested, c.sent_at, c.answered_at, c.deadline
            ).where(c.request_state != "draft")
        ).all()
    facts = [
        CaseFacts(
            partner=r.requested if r.direction == "outgoing" else r.requester,
            outgoing=r.direction == "outgoing",
            sent_at=_aware(r.sent_at),
            answered_at=_aware(r.answered_at),
            deadline=r.deadline,
        )
        for r in rows
    ]
    return figures(facts, dt.datetime.now(dt.UTC).date())
