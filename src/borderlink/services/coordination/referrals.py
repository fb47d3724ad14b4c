"""Referrals to other border agencies: read them, answer them, and how long answers take.

Need-to-know, as for declarations: an agency officer sees only referrals addressed to their
agency, an officer only those on their office's declarations; others are "not found", so their
existence does not leak. Only an officer of the agency a referral is addressed to answers it.
Every answer is audited on the declaration (its history tells the whole story); every read that
shows party identities is audited.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl
from pydantic import BaseModel, Field
from sqlalchemy import Connection, Select, case, func, select, update

from borderlink import coordination
from borderlink.cooperation.policy import redact
from borderlink.coordination import AgencyClearance as AgencyClearance  # for the shells
from borderlink.errors import InvalidInput, NotFound, PermissionDenied
from borderlink.model.referral import DECISIONS, ReferralAnswer, ReferralStatus
from borderlink.services.accounts import audit
from borderlink.services.accounts.access import (
    REDACTED,
    Permission,
    Principal,
    agency_scope,
    office_scope,
    require,
    sees_nominal,
)
from borderlink.services.declarations.read import MAX_PAGE, Page
from borderlink.services.node import Node
from borderlink.store.coordination_tables import referrals
from borderlink.store.tables import declarations, goods_items

FINAL = frozenset({ReferralStatus.CLEARED, ReferralStatus.REJECTED})
TIMES = ("created_at", "acknowledged_at", "answered_at", "closed_at", "updated_at")


class ReferralFilter(BaseModel):
    agency: str | None = Field(default=None, max_length=64)
    status: ReferralStatus | None = None
    declaration_id: str | None = Field(default=None, max_length=64)


class ReferralView(BaseModel):
    referral_id: int
    declaration_id: str
    declared_on: dt.date
    office_id: str | None
    agency: str
    status: ReferralStatus
    rules: list[str]
    reasons: list[str]
    finding: str | None
    answered_by: str | None
    created_by: str
    created_at: dt.datetime
    acknowledged_at: dt.datetime | None
    answered_at: dt.datetime | None = Field(description="First decision: cleared, held, rejected")
    closed_at: dt.datetime | None = Field(description="Cleared or rejected")
    updated_at: dt.datetime


class ReferralGoods(BaseModel):
    item_no: int
    hs_code: str
    description: str | None
    origin_country: str | None
    net_mass_kg: float | None
    quantity: float | None
    quantity_unit: str | None


class ReferralDetail(ReferralView):
    """A referral with what the agency needs to decide: the consignment and its goods."""

    departure_country: str | None
    transport_mode: str | None
    importer_id: str | None
    goods: list[ReferralGoods]
    redacted: bool = Field(description="Party identities withheld from this reader")


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _base(*columns: Any) -> Select[Any]:
    return select(*columns).select_from(
        referrals.join(declarations, declarations.c.declaration_id == referrals.c.declaration_id)
    )


def _scoped(query: Select[Any], principal: Principal) -> Select[Any]:
    agency = agency_scope(principal)
    if agency is not None:
        query = query.where(referrals.c.agency == agency)
    office = office_scope(principal)
    if office is not None:
        query = query.where(declarations.c.office_id == office)
    return query


def _columns() -> list[Any]:
    return [*referrals.c, declarations.c.declared_on, declarations.c.office_id]


def _view(row: Any) -> dict[str, Any]:
    values = {name: getattr(row, name) for name in ReferralView.model_fields}
    values.update({name: _aware(values[name]) for name in TIMES})
    return values


def list_referrals(
    node: Node,
    principal: Principal,
    flt: ReferralFilter | None = None,
    *,
    limit: int = 50,
    offset: int = 0,
) -> Page[ReferralView]:
    """A page of referrals, waiting ones first (open, then acknowledged, ...), oldest first."""
    require(principal, Permission.REFERRALS_READ)
    flt = flt or ReferralFilter()
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidInput(f"limit is 1 to {MAX_PAGE}", field="limit")
    if offset < 0:
        raise InvalidInput("offset is 0 or more", field="offset")
    query = _scoped(_base(*_columns()), principal)
    if flt.agency:
        query = query.where(referrals.c.agency == flt.agency)
    if flt.status:
        query = query.where(referrals.c.status == flt.status.value)
    if flt.declaration_id:
        query = query.where(referrals.c.declaration_id == flt.declaration_id)
    # the lifecycle's order: what still waits on the agency first
    position = case(
        {s.value: n for n, s in enumerate(ReferralStatus)}, value=referrals.c.status, else_=9
    )
    with node.read() as conn:
        total = conn.execute(select(func.count()).select_from(query.subquery())).scalar_one()
        rows = conn.execute(
            query.order_by(position, referrals.c.created_at, referrals.c.referral_id)
            .limit(limit)
            .offset(offset)
        ).all()
    return Page[ReferralView](
        items=[ReferralView(**_view(r)) for r in rows], total=total, limit=limit, offset=offset
    )


def _visible(conn: Connection, principal: Principal, referral_id: int) -> Any:
    row = conn.execute(
        _scoped(_base(*_columns(), *_header()), principal).where(
            referrals.c.referral_id == referral_id
        )
    ).first()
    if row is None:
        raise NotFound(f"no referral {referral_id}", field="referral_id")
    return row


def _header() -> list[Any]:
    return [
        declarations.c.departure_country,
        declarations.c.transport_mode,
        declarations.c.importer_id,
    ]


def get_referral(node: Node, principal: Principal, referral_id: int) -> ReferralDetail:
    """One referral with its consignment's goods (party identities only for nominal readers)."""
    require(principal, Permission.REFERRALS_READ)
    nominal = sees_nominal(principal)
    with node.transaction() as conn:
        row = _visible(conn, principal, referral_id)
        goods = conn.execute(
            select(*(goods_items.c[name] for name in ReferralGoods.model_fields))
            .where(goods_items.c.declaration_id == row.declaration_id)
            .order_by(goods_items.c.item_no)
        ).all()
        if nominal and row.importer_id is not None:
            audit.record(
                conn,
                actor=principal.username,
                action="referral.read",
                object_type="referral",
                object_id=str(referral_id),
                reason="shown with nominal data",
                details={"declaration_id": row.declaration_id},
            )
    importer = redact(row._mapping, () if nominal else ["importer_id"], mask=REDACTED).values[
        "importer_id"
    ]
    return ReferralDetail(
        **_view(row),
        departure_country=row.departure_country,
        transport_mode=row.transport_mode,
        importer_id=importer,
        goods=[ReferralGoods(**g._asdict()) for g in goods],
        redacted=not nominal,
    )


def answer_referral(
    node: Node, principal: Principal, referral_id: int, answer: ReferralAnswer
) -> ReferralView:
    """The agency's answer: acknowledge, clear, hold or reject, with its finding.

    Repeating the current status changes nothing; a move the lifecycle forbids (e.g. from
    cleared) is a :class:`~borderlink.errors.Conflict` naming the referral.
    """
    require(principal, Permission.REFERRALS_ANSWER)
    agency = agency_scope(principal)
    now = dt.datetime.now(dt.UTC)
    with node.transaction() as conn:
        row = _visible(conn, principal, referral_id)
        if agency is None or agency != row.agency:  # the agency's decision is its own
            raise PermissionDenied(
                f"only an officer of agency {row.agency!r} answers referral {referral_id}"
            )
        current = ReferralStatus(row.status)
        if not coordination.check_transition(current, answer.status, referral=str(referral_id)):
            return ReferralView(**_view(row))
        values: dict[str, Any] = {
            "status": answer.status.value,
            "answered_by": principal.username,
            "updated_at": now,
        }
        if answer.finding:
            values["finding"] = answer.finding
        if row.acknowledged_at is None:
            values["acknowledged_at"] = now
        if answer.status in DECISIONS and row.answered_at is None:
            values["answered_at"] = now
        if answer.status in FINAL:
            values["closed_at"] = now
        conn.execute(
            update(referrals).where(referrals.c.referral_id == referral_id).values(**values)
        )
        audit.record(
            conn,
            actor=principal.username,
            action="referral.answer",
            object_type="declaration",
            object_id=row.declaration_id,
            reason=f"{row.agency} {answer.status.value}"
            + (f": {answer.finding}" if answer.finding else ""),
            details={
                "referral_id": referral_id,
                "agency": row.agency,
                "from": current.value,
                "to": answer.status.value,
            },
        )
        updated = _visible(conn, principal, referral_id)
    return ReferralView(**_view(updated))


def clearance(node: Node, principal: Principal) -> list[AgencyClearance]:
    """How long the agencies take to answer, per agency and overall, over what the principal
    may see (an agency officer: their agency; an officer: their office's declarations)."""
    require(principal, Permission.REFERRALS_READ)
    times = [referrals.c[name] for name in ("created_at", "acknowledged_at", "answered_at")]
    query = _scoped(
        _base(referrals.c.agency, referrals.c.status, *times, referrals.c.closed_at), principal
    )
    with node.read() as conn:
        rows = conn.execute(query).all()
    stamp = pl.Datetime("us", "UTC")
    frame = pl.DataFrame(
        [(r.agency, r.status, *(_aware(getattr(r, t)) for t in TIMES[:4])) for r in rows],
        schema={
            "agency": pl.Utf8,
            "status": pl.Utf8,
            **{name: stamp for name in TIMES[:4]},
        },
        orient="row",
    )
    return coordination.clearance_times(frame, dt.datetime.now(dt.UTC))
