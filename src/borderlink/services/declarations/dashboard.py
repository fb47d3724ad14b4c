"""The dashboard's figures: the day's flow by channel, inspections, hit rates and clearance times
over two weeks.

Channels come from the risk engine's latest scores (:func:`.risk.targeting.channel_counts`);
a declaration never scored counts as ``unscored``.
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel

from borderlink.coordination import DayClearance
from borderlink.services.accounts.access import Permission, Principal, office_scope, require
from borderlink.services.coordination.clearance import clearance_trend
from borderlink.services.declarations.read import latest_day, scoped_counts
from borderlink.services.node import Node
from borderlink.services.risk.targeting import channel_counts

WINDOW_DAYS = 14


class DayFigures(BaseModel):
    day: dt.date
    declarations: int
    inspected: int
    illicit: int

    @property
    def hit_rate(self) -> float | None:
        return self.illicit / self.inspected if self.inspected else None


class Dashboard(BaseModel):
    day: dt.date | None
    office_id: str | None
    today: DayFigures | None
    channels: dict[str, int]
    days: list[DayFigures]
    inspected: int
    illicit: int
    hit_rate: float | None
    clearance: list[DayClearance] = []


def dashboard(node: Node, principal: Principal, day: dt.date | None = None) -> Dashboard:
    """Figures for ``day`` (default: the latest day with declarations in the reader's scope)."""
    require(principal, Permission.DASHBOARD_READ)
    office = office_scope(principal)
    day = day or latest_day(node, principal)
    if day is None:
        return Dashboard(
            day=None,
            office_id=office,
            today=None,
            channels={},
            days=[],
            inspected=0,
            illicit=0,
            hit_rate=None,
        )
    since = day - dt.timedelta(days=WINDOW_DAYS - 1)
    found = {
        r["day"] if isinstance(r["day"], dt.date) else dt.date.fromisoformat(r["day"]): r
        for r in scoped_counts(node, principal, since=since, until=day)
    }
    days = []
    for n in range(WINDOW_DAYS):
        d = since + dt.timedelta(days=n)
        r = found.get(d, {})
        days.append(
            DayFigures(
                day=d,
                declarations=r.get("declarations", 0),
                inspected=r.get("inspected", 0),
                illicit=r.get("illicit", 0),
            )
        )
    today = days[-1]
    channels = channel_counts(node, day, office)
    if not channels and today.declarations:
        channels = {"unscored": today.declarations}
    inspected = sum(d.inspected for d in days)
    illicit = sum(d.illicit for d in days)
    return Dashboard(
        day=day,
        office_id=office,
        today=today,
        channels=channels,
        days=days,
        inspected=inspected,
        illicit=illicit,
        hit_rate=illicit / inspected if inspected else None,
        clearance=clearance_trend(node, principal, since=since, until=day),
    )
