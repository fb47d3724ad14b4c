"""Clearance times of declarations: from arrival at the node to release, per declaration day.

Only declarations something held are counted: sent red or yellow, or referred to an agency. A
green one without referrals is released the moment it is scored, so its time is the machine's,
not the border's. A declaration is released when its inspection is recorded by an officer (an
outcome loaded with historical data carries no time of its own) and every agency has closed its
referral; see :func:`borderlink.coordination.clearance.release_times`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import polars as pl
from sqlalchemy import and_, func, or_, select

from borderlink.coordination import DayClearance, clearance_by_day
from borderlink.model.referral import PENDING
from borderlink.services.accounts.access import Permission, Principal, office_scope, require
from borderlink.services.node import Node
from borderlink.store.coordination_tables import referrals
from borderlink.store.risk_tables import scores
from borderlink.store.tables import declarations, outcomes

HELD = ("red", "yellow")
SCHEMA: Mapping[str, pl.DataType] = MappingProxyType(
    {
        "declaration_id": pl.String(),
        "declared_on": pl.Date(),
        "channel": pl.String(),
        "arrived_at": pl.Datetime("us", "UTC"),
        "scored_at": pl.Datetime("us", "UTC"),
        "inspected_at": pl.Datetime("us", "UTC"),
        "referrals": pl.Int64(),
        "referrals_open": pl.Int64(),
        "referrals_closed_at": pl.Datetime("us", "UTC"),
    }
)


def _utc(value: Any) -> Any:
    # SQLite hands back naive datetimes (stored as UTC); PostgreSQL aware ones
    if isinstance(value, dt.datetime) and value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value


def clearance_trend(
    node: Node, principal: Principal, *, since: dt.date, until: dt.date
) -> list[DayClearance]:
    """One :class:`DayClearance` per day in [since, until], in the principal's office scope."""
    require(principal, Permission.DASHBOARD_READ)
    d = declarations.c

    def first_score(column: Any) -> Any:  # of the declaration's first score: its decision
        return (
            select(column)
            .where(scores.c.declaration_id == d.declaration_id)
            .order_by(scores.c.scored_at)
            .limit(1)
            .scalar_subquery()
        )

    of_declaration = referrals.c.declaration_id == d.declaration_id
    referred = select(func.count()).where(of_declaration).scalar_subquery()
    still_open = (
        select(func.count())
        .where(of_declaration, referrals.c.status.in_([s.value for s in PENDING]))
        .scalar_subquery()
    )
    closed = select(func.max(referrals.c.closed_at)).where(of_declaration).scalar_subquery()
    query = (
        select(
            d.declaration_id,
            d.declared_on,
            first_score(scores.c.channel).label("channel"),
            d.created_at.label("arrived_at"),
            first_score(scores.c.scored_at).label("scored_at"),
            outcomes.c.recorded_at.label("inspected_at"),
            referred.label("referrals"),
            still_open.label("referrals_open"),
            closed.label("referrals_closed_at"),
        )
        .outerjoin(
            outcomes,
            and_(
                outcomes.c.declaration_id == d.declaration_id,
                outcomes.c.source == "officer",
            ),
        )
        .where(d.declared_on >= since, d.declared_on <= until)
    )
    office = office_scope(principal)
    if office is not None:
        query = query.where(d.office_id == office)
    held = query.subquery()
    query = select(held).where(or_(held.c.channel.in_(HELD), held.c.referrals > 0))
    with node.read() as conn:
        rows = [{k: _utc(v) for k, v in row._asdict().items()} for row in conn.execute(query)]
    frame = pl.DataFrame(rows, schema=SCHEMA, orient="row") if rows else pl.DataFrame(schema=SCHEMA)
    days = [since + dt.timedelta(days=n) for n in range((until - since).days + 1)]
    return clearance_by_day(frame, days)
