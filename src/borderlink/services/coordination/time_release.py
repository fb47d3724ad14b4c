"""The time release view over the store: lodged → scored → referred → inspected → released,
per office, channel, agency or AEO status, p50/p90 (see
:mod:`borderlink.coordination.time_release`).

Declarations are those declared in [since, until] (default: the 90 days up to the latest
declaration day), in the reader's office scope. Whether a declaration is a trusted trader's is
decided by the MRAs in force at the window's end and the AEO statuses valid on its declaration
day (see :mod:`borderlink.services.cooperation.aeo`). :func:`public_release_times` is the public
portal's: per channel, node-wide, figures only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import polars as pl
from pydantic import BaseModel
from sqlalchemy import Select, and_, func, select

from borderlink.coordination.time_release import GroupBy, ReleaseGroup, time_release
from borderlink.model.aeo import ROLE_COLUMNS
from borderlink.model.referral import PENDING
from borderlink.risk.aeo import match_trusted
from borderlink.services.accounts.access import Permission, Principal, office_scope, require
from borderlink.services.cooperation.aeo import trusted_in_force
from borderlink.services.node import Node
from borderlink.store.coordination_tables import referrals
from borderlink.store.risk_tables import scores
from borderlink.store.tables import declarations, outcomes

__all__ = ["GroupBy", "TimeRelease", "public_release_times", "release_frame", "time_release_view"]
WINDOW_DAYS = 90
TIME = pl.Datetime("us", "UTC")
SCHEMA: Mapping[str, pl.DataType] = MappingProxyType(
    {
        "declaration_id": pl.String(),
        "declared_on": pl.Date(),
        "office_id": pl.String(),
        **{c: pl.String() for c in ROLE_COLUMNS.values()},
        "channel": pl.String(),
        "arrived_at": TIME,
        "scored_at": TIME,
        "inspected_at": TIME,
        "referred_at": TIME,
        "referrals_open": pl.Int64(),
        "referrals_closed_at": TIME,
    }
)


class TimeRelease(BaseModel):
    since: dt.date | None
    until: dt.date | None
    office_id: str | None
    by: str
    groups: list[ReleaseGroup]


def _utc(value: Any) -> Any:
    # SQLite hands back naive datetimes (stored as UTC); PostgreSQL aware ones
    if isinstance(value, dt.datetime) and value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value


def _query(since: dt.date, until: dt.date, office: str | None) -> Select[Any]:
    d, r = declarations.c, referrals.c

    def first_score(column: Any) -> Any:  # the declaration's first score is its decision
        return (
            select(column)
            .where(scores.c.declaration_id == d.declaration_id)
            .order_by(scores.c.scored_at)
            .limit(1)
            .scalar_subquery()
        )

    of_declaration = r.declaration_id == d.declaration_id

    def over_referrals(column: Any, *where: Any) -> Any:
        return select(column).where(of_declaration, *where).scalar_subquery()

    query = (
        select(
            d.declaration_id,
            d.declared_on,
            d.office_id,
            *(d[c] for c in ROLE_COLUMNS.values()),
            first_score(scores.c.channel).label("channel"),
            d.created_at.label("arrived_at"),
            first_score(scores.c.scored_at).label("scored_at"),
            outcomes.c.recorded_at.label("inspected_at"),
            over_referrals(func.min(r.created_at)).label("referred_at"),
            over_referrals(func.count(), r.status.in_([s.value for s in PENDING])).label(
                "referrals_open"
            ),
            over_referrals(func.max(r.closed_at)).label("referrals_closed_at"),
        )
        .outerjoin(
            outcomes,
            and_(outcomes.c.declaration_id == d.declaration_id, outcomes.c.source == "officer"),
        )
        .where(d.declared_on >= since, d.declared_on <= until)
    )
    return query if office is None else query.where(d.office_id == office)


def _agencies(node: Node, ids: list[str]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    with node.read() as conn:
        for start in range(0, len(ids), 500):
            rows = conn.execute(
                select(referrals.c.declaration_id, referrals.c.agency)
                .where(referrals.c.declaration_id.in_(ids[start : start + 500]))
                .order_by(referrals.c.agency)
            )
            for row in rows:
                found.setdefault(row.declaration_id, []).append(row.agency)
    return found


def release_frame(node: Node, since: dt.date, until: dt.date, office: str | None) -> pl.DataFrame:
    """One row per declaration in the window, as :func:`time_release` takes it."""
    with node.read() as conn:
        rows = [
            {k: _utc(v) for k, v in row._asdict().items()}
            for row in conn.execute(_query(since, until, office))
        ]
    frame = pl.DataFrame(rows, schema=SCHEMA, orient="row") if rows else pl.DataFrame(schema=SCHEMA)
    agencies = _agencies(node, frame["declaration_id"].to_list())
    trusted = match_trusted(frame, trusted_in_force(node, until)) if frame.height else {}
    ids = frame["declaration_id"].to_list()
    return frame.with_columns(
        pl.Series("agencies", [agencies.get(i, []) for i in ids], dtype=pl.List(pl.String)),
        pl.Series("aeo", [i in trusted for i in ids], dtype=pl.Boolean),
    )


def _window(
    node: Node, since: dt.date | None, until: dt.date | None, office: str | None
) -> tuple[dt.date, dt.date] | None:
    if until is None:
        query = select(func.max(declarations.c.declared_on))
        if office is not None:
            query = query.where(declarations.c.office_id == office)
        with node.read() as conn:
            until = conn.execute(query).scalar()
        if until is None:
            return None
        until = until if isinstance(until, dt.date) else dt.date.fromisoformat(str(until))
    return since or until - dt.timedelta(days=WINDOW_DAYS - 1), until


def time_release_view(
    node: Node,
    principal: Principal,
    by: GroupBy = "channel",
    *,
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> TimeRelease:
    """The time release figures grouped ``by`` office, channel, agency or AEO status."""
    require(principal, Permission.DASHBOARD_READ)
    office = office_scope(principal)
    window = _window(node, since, until, office)
    if window is None:
        return TimeRelease(since=since, until=until, office_id=office, by=by, groups=[])
    frame = release_frame(node, *window, office)
    return TimeRelease(
        since=window[0],
        until=window[1],
        office_id=office,
        by=by,
        groups=time_release(frame, by),
    )


def public_release_times(node: Node, on: dt.date | None = None) -> TimeRelease:
    """Release times per channel over the last 90 days, node-wide: what the public portal
    publishes (counts and durations only, no declaration and no party)."""
    until = on or dt.datetime.now(dt.UTC).date()
    since = until - dt.timedelta(days=WINDOW_DAYS - 1)
    frame = release_frame(node, since, until, None)
    return TimeRelease(
        since=since,
        until=until,
        office_id=None,
        by="channel",
        groups=time_release(frame, "channel"),
    )
