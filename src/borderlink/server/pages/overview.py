"""The dashboard: the day's flow by channel, inspections and hit rates over two weeks, and the
time release view (90 days: per channel, and trusted traders against the others)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup

from borderlink.server.deps import NodeDep, blocking
from borderlink.server.pages.charts import bar_chart, duration, duration_unit
from borderlink.server.pages.common import page_allowed, render
from borderlink.server.pages.registry import Area, NavEntry
from borderlink.services.accounts.access import Permission, Principal
from borderlink.services.coordination import time_release
from borderlink.services.declarations import dashboard as dashboards

router = APIRouter(include_in_schema=False)


@router.get("/dashboard")
async def dashboard_page(
    request: Request,
    node: NodeDep,
    principal: Annotated[Principal, page_allowed(Permission.DASHBOARD_READ)],
    day: Annotated[dt.date | None, Query()] = None,
) -> HTMLResponse:
    board = await blocking(dashboards.dashboard, node, principal, day)
    by_channel = await blocking(time_release.time_release_view, node, principal, "channel")
    by_aeo = await blocking(time_release.time_release_view, node, principal, "aeo")
    label = "%d %b"
    flow = bar_chart(
        [(d.day.strftime(label), d.declarations) for d in board.days],
        title="Declarations per day",
    )
    hits = bar_chart(
        [(d.day.strftime(label), d.hit_rate or 0.0) for d in board.days],
        title="Hit rate of inspections per day",
        percent=True,
    )
    channels = bar_chart(list(board.channels.items()), title="Today's flow by channel", width=320)
    factor, unit = duration_unit(max((c.p50_hours or 0.0 for c in board.clearance), default=0))
    clearance = bar_chart(
        [(c.day.strftime(label), (c.p50_hours or 0.0) * factor) for c in board.clearance],
        title=f"Median time from arrival to release, in {unit} (red, yellow, referred)",
        unit=f" {unit}",
        empty=None
        if any(c.released for c in board.clearance)
        else "No data yet: nothing held has been released in these days.",
    )
    release = _release_chart(by_channel)
    return render(
        request,
        "dashboard.html",
        by_channel=by_channel,
        by_aeo=by_aeo,
        release=release,
        board=board,
        flow=flow,
        hits=hits,
        channels=channels,
        clearance=clearance,
        clearance_by_day={c.day: c for c in board.clearance},
        duration=duration,
    )


def _release_chart(view: time_release.TimeRelease) -> Markup:
    groups = [g for g in view.groups if g.group != "all"]
    p50 = [(g.group, g.stages["lodged_to_released"].p50_hours or 0.0) for g in groups]
    factor, unit = duration_unit(max((v for _, v in p50), default=0.0))
    # Empty only when nothing was released: a release within seconds is a figure, not no data.
    released = any(g.released for g in groups)
    return bar_chart(
        [(name, value * factor) for name, value in p50],
        title=f"Median time from lodging to release per channel, in {unit} (90 days)",
        unit=f" {unit}",
        empty=None if released else "No data yet: nothing released in these days.",
    )


AREA = Area(
    name="dashboard",
    router=router,
    nav=(NavEntry("Dashboard", "/dashboard", Permission.DASHBOARD_READ, order=10),),
)
