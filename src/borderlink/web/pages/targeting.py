"""The targeting queue: red and yellow declarations with their reasons, one click to record."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from borderlink.api.deps import NodeDep
from borderlink.services import targeting
from borderlink.services.access import Permission, Principal
from borderlink.web.common import page_allowed, render
from borderlink.web.registry import Area, NavEntry

router = APIRouter(include_in_schema=False)


@router.get("/queue")
def queue_page(
    request: Request,
    node: NodeDep,
    principal: Annotated[Principal, page_allowed(Permission.DECLARATIONS_READ)],
    day: Annotated[dt.date | None, Query()] = None,
) -> HTMLResponse:
    found = targeting.queue(node, principal, day=day, limit=200)
    return render(
        request,
        "queue.html",
        queue=found,
        day=day,
        can_record=principal.can(Permission.OUTCOMES_RECORD),
    )


AREA = Area(
    name="targeting",
    router=router,
    nav=(NavEntry("Targeting queue", "/queue", Permission.DECLARATIONS_READ, order=15),),
)
