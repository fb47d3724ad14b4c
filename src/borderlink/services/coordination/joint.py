"""Joint inspections: plan one coordinated inspection of a red, referred declaration; read it
with each agency's part as that agency recorded it; see what it saved.

Customs plans (``outcomes:record``, at the officer's own office). The parts are the agencies' own
records (see :mod:`borderlink.coordination.joint`): customs' part is done when its inspection
outcome is recorded, an agency's when it closes its referral (cleared or rejected; ``held``
keeps it running). Need-to-know as for referrals: an officer sees their office's, an agency
officer those their agency is invited to; the others are "not found".
"""

from __future__ import annotations

import datetime as dt
import statistics
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import Connection, Select, exists, func, insert, select, update

from borderlink.coordination.joint import (
    CUSTOMS,
    JointStatus,
    Part,
    Saving,
    check_plan,
    saving,
    status_of,
)
from borderlink.coordination.joint import JointPlan as JointPlan  # for the shells
from borderlink.errors import Conflict, InvalidInput, NotFound
from borderlink.model.referral import ReferralStatus
from borderlink.services.accounts import audit
from borderlink.services.accounts.access import (
    Permission,
    Principal,
    agency_scope,
    office_scope,
    require,
)
from borderlink.services.declarations.read import MAX_PAGE, Page
from borderlink.services.node import Node
from borderlink.services.risk.targeting import latest_scores
from borderlink.store.coordination_tables import joint_inspections, referrals
from borderlink.store.tables import declarations, outcomes

CLOSED = (ReferralStatus.CLEARED.value, ReferralStatus.REJECTED.value)


class JointView(BaseModel):
    joint_id: int
    declaration_id: str
    office_id: str | None
    scheduled_at: dt.datetime
    place: str
    agencies: list[str] = Field(description="Invited (customs leads, and is always a part)")
    note: str | None
    planned_by: str
    status: JointStatus
    parts: list[Part]
    released: bool = Field(description="Every part done and no agency refused entry")
    saving: Saving


class JointSummary(BaseModel):
    """What joint inspections saved, over those the principal may see."""

    planned: int
    done: int
    saved_hours: float = Field(description="Sum over the done ones")
    joint_p50_hours: float | None
    separate_p50_hours: float | None = Field(description="Had each agency inspected on its own")


def _utc(value: dt.datetime | None) -> dt.datetime | None:
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _scoped(query: Select[Any], principal: Principal) -> Select[Any]:
    office = office_scope(principal)
    if office is not None:
        query = query.where(declarations.c.office_id == office)
    agency = agency_scope(principal)
    if agency is not None:
        invited = exists().where(
            referrals.c.declaration_id == joint_inspections.c.declaration_id,
            referrals.c.agency == agency,
        )
        query = query.where(invited)
    return query


def _base() -> Select[Any]:
    return select(joint_inspections, declarations.c.office_id).join(
        declarations, declarations.c.declaration_id == joint_inspections.c.declaration_id
    )


def parts(conn: Connection, declaration_id: str, agencies: list[str]) -> list[Part]:
    """Customs' part, then each invited agency's, from their own records."""
    outcome = conn.execute(
        select(
            outcomes.c.recorded_at, outcomes.c.officer, outcomes.c.note, outcomes.c.illicit
        ).where(outcomes.c.declaration_id == declaration_id)
    ).first()
    out = [
        Part(
            agency=CUSTOMS,
            status="waiting"
            if outcome is None
            else ("irregular" if outcome.illicit else "compliant"),
            done=outcome is not None,
            done_at=_utc(outcome.recorded_at) if outcome else None,
            finding=outcome.note if outcome else None,
            by=outcome.officer if outcome else None,
        )
    ]
    found = {
        r.agency: r
        for r in conn.execute(
            select(referrals).where(
                referrals.c.declaration_id == declaration_id, referrals.c.agency.in_(agencies)
            )
        )
    }
    for agency in agencies:
        r = found.get(agency)
        out.append(
            Part(
                agency=agency,
                status=r.status if r else "not referred",
                done=r is not None and r.status in CLOSED,
                done_at=_utc(r.closed_at) if r else None,
                finding=r.finding if r else None,
                by=r.answered_by if r else None,
                referral_id=r.referral_id if r else None,
            )
        )
    return out


def _view(conn: Connection, row: Any) -> JointView:
    found = parts(conn, row.declaration_id, list(row.agencies))
    status = status_of(row.cancelled_at is not None, found)
    scheduled = _utc(row.scheduled_at)
    assert scheduled is not None  # a NOT NULL column
    refused = any(p.status == ReferralStatus.REJECTED.value for p in found)
    return JointView(
        joint_id=row.joint_id,
        declaration_id=row.declaration_id,
        office_id=row.office_id,
        scheduled_at=scheduled,
        place=row.place,
        agencies=list(row.agencies),
        note=row.note,
        planned_by=row.planned_by,
        status=status,
        parts=found,
        released=status == JointStatus.DONE and not refused,
        saving=saving(scheduled, found),
    )


def _visible(conn: Connection, principal: Principal, joint_id: int) -> Any:
    row = conn.execute(
        _scoped(_base().where(joint_inspections.c.joint_id == joint_id), principal)
    ).first()
    if row is None:
        raise NotFound(f"no joint inspection {joint_id}")
    return row


def _target(conn: Connection, principal: Principal, declaration_id: str) -> tuple[str, list[str]]:
    """The declaration's channel and the agencies it is referred to (within the officer's
    office: another office's declaration is not found)."""
    query = select(declarations.c.office_id).where(declarations.c.declaration_id == declaration_id)
    office = office_scope(principal)
    if office is not None:
        query = query.where(declarations.c.office_id == office)
    if conn.execute(query).first() is None:
        raise NotFound(f"no declaration {declaration_id}")
    latest = latest_scores()
    channel = conn.execute(
        select(latest.c.channel).where(latest.c.declaration_id == declaration_id)
    ).scalar()
    agencies = conn.execute(
        select(referrals.c.agency).where(referrals.c.declaration_id == declaration_id)
    ).scalars()
    return str(channel) if channel else "", sorted(agencies)


def plan_joint(node: Node, principal: Principal, declaration_id: str, plan: JointPlan) -> JointView:
    """Plan (or re-plan, while no part is done) the declaration's one joint inspection.

    The same plan again changes nothing; a plan for a declaration that is not red, or inviting
    an agency it is not referred to, is refused naming the declaration and the field.
    """
    require(principal, Permission.OUTCOMES_RECORD)
    now = dt.datetime.now(dt.UTC)
    values = {
        "scheduled_at": plan.scheduled_at,
        "place": plan.place,
        "agencies": list(plan.agencies),
        "note": plan.note,
    }
    with node.transaction() as conn:
        channel, referred = _target(conn, principal, declaration_id)
        check_plan(declaration_id, channel, referred, plan)
        key = joint_inspections.c.declaration_id == declaration_id
        before = conn.execute(select(joint_inspections).where(key)).first()
        if before is None:
            conn.execute(
                insert(joint_inspections).values(
                    declaration_id=declaration_id,
                    planned_by=principal.username,
                    created_at=now,
                    updated_at=now,
                    **values,
                )
            )
            action = "joint.plan"
        else:
            if _same(before, plan):
                return _view(conn, _by_declaration(conn, declaration_id))
            if any(p.done for p in parts(conn, declaration_id, list(before.agencies))):
                raise Conflict(
                    f"the joint inspection of {declaration_id} has parts done: not re-planned",
                    field="declaration_id",
                )
            changes = {**values, "updated_at": now, "cancelled_at": None}
            conn.execute(update(joint_inspections).where(key).values(**changes))
            action = "joint.replan"
        audit.record(
            conn,
            actor=principal.username,
            action=action,
            object_type="declaration",
            object_id=declaration_id,
            reason=f"joint inspection at {plan.place}, {plan.scheduled_at:%Y-%m-%d %H:%M} UTC, "
            f"with {', '.join(plan.agencies)}",
            details={
                "agencies": list(plan.agencies),
                "scheduled_at": plan.scheduled_at.isoformat(),
            },
        )
        return _view(conn, _by_declaration(conn, declaration_id))


def _same(row: Any, plan: JointPlan) -> bool:
    return (
        row.cancelled_at is None
        and _utc(row.scheduled_at) == plan.scheduled_at
        and (row.place, list(row.agencies), row.note)
        == (plan.place, list(plan.agencies), plan.note)
    )


def _by_declaration(conn: Connection, declaration_id: str) -> Any:
    return conn.execute(_base().where(joint_inspections.c.declaration_id == declaration_id)).one()


def cancel_joint(node: Node, principal: Principal, joint_id: int, reason: str) -> JointView:
    """Cancel a joint inspection no part of which is done (cancelling twice changes nothing)."""
    require(principal, Permission.OUTCOMES_RECORD)
    if not reason.strip():
        raise InvalidInput(f"joint inspection {joint_id}: give a reason", field="reason")
    with node.transaction() as conn:
        row = _visible(conn, principal, joint_id)
        if row.cancelled_at is not None:
            return _view(conn, row)
        if any(p.done for p in parts(conn, row.declaration_id, list(row.agencies))):
            raise Conflict(f"joint inspection {joint_id} has parts done", field="joint_id")
        now = dt.datetime.now(dt.UTC)
        conn.execute(
            update(joint_inspections)
            .where(joint_inspections.c.joint_id == joint_id)
            .values(cancelled_at=now, updated_at=now)
        )
        audit.record(
            conn,
            actor=principal.username,
            action="joint.cancel",
            object_type="declaration",
            object_id=row.declaration_id,
            reason=reason,
            details={"joint_id": joint_id},
        )
        return _view(conn, _visible(conn, principal, joint_id))


def get_joint(node: Node, principal: Principal, joint_id: int) -> JointView:
    require(principal, Permission.REFERRALS_READ)
    with node.read() as conn:
        return _view(conn, _visible(conn, principal, joint_id))


def joint_for(node: Node, principal: Principal, declaration_id: str) -> JointView | None:
    """The declaration's joint inspection, if one is planned and the principal may see it."""
    require(principal, Permission.REFERRALS_READ)
    query = _scoped(_base().where(joint_inspections.c.declaration_id == declaration_id), principal)
    with node.read() as conn:
        row = conn.execute(query).first()
        return None if row is None else _view(conn, row)


def list_joint(
    node: Node, principal: Principal, *, limit: int = 50, offset: int = 0
) -> Page[JointView]:
    """Joint inspections the principal may see, the next planned first."""
    require(principal, Permission.REFERRALS_READ)
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidInput(f"limit is 1 to {MAX_PAGE}", field="limit")
    query = _scoped(_base(), principal)
    with node.read() as conn:
        total = conn.execute(select(func.count()).select_from(query.subquery())).scalar_one()
        rows = conn.execute(
            query.order_by(joint_inspections.c.scheduled_at.desc(), joint_inspections.c.joint_id)
            .limit(limit)
            .offset(offset)
        ).all()
        items = [_view(conn, r) for r in rows]
    return Page[JointView](items=items, total=total, limit=limit, offset=offset)


def summary(node: Node, principal: Principal) -> JointSummary:
    """What the joint inspections the principal may see saved against separate ones."""
    require(principal, Permission.REFERRALS_READ)
    with node.read() as conn:
        views = [_view(conn, r) for r in conn.execute(_scoped(_base(), principal)).all()]
    done = [v.saving for v in views if v.saving.saved_seconds is not None]
    joint = [s.joint_seconds / 3600 for s in done if s.joint_seconds is not None]
    separate = [s.separate_seconds / 3600 for s in done if s.separate_seconds is not None]
    return JointSummary(
        planned=sum(v.status != JointStatus.CANCELLED for v in views),
        done=len(done),
        saved_hours=round(sum(s.saved_seconds or 0.0 for s in done) / 3600, 4),
        joint_p50_hours=statistics.median(joint) if joint else None,
        separate_p50_hours=statistics.median(separate) if separate else None,
    )
