"""The public trade information portal: no sign-in, no party data, the same page for everyone.

Pages are rendered without the visitor's session (whoever asks gets the same page, signed in or
not), so they may be cached by browsers and shared proxies (``Cache-Control: public``).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from borderlink.errors import InvalidInput
from borderlink.server.deps import NodeDep, blocking
from borderlink.server.pages.charts import duration
from borderlink.server.pages.common import render
from borderlink.server.pages.registry import Area
from borderlink.services.trade import portal

router = APIRouter(include_in_schema=False)
CACHE = "public, max-age=300"


def _public(request: Request, template: str, **context: Any) -> HTMLResponse:
    request.state.principal = None  # never the visitor's: the page is the same for everyone
    response = render(request, template, **context)
    response.headers["Cache-Control"] = CACHE
    return response


@router.get("/portal")
async def portal_home(
    request: Request,
    node: NodeDep,
    q: Annotated[str | None, Query(max_length=200)] = None,
) -> HTMLResponse:
    hits: list[portal.GoodsHit] = []
    problem = None
    if q:
        try:
            hits = await blocking(portal.search_goods, node, q)
        except InvalidInput as error:
            problem = error.detail
    return _public(request, "portal.html", q=q or "", hits=hits, problem=problem)


@router.get("/portal/goods")
async def portal_goods(
    request: Request,
    node: NodeDep,
    hs: Annotated[str, Query(min_length=2, max_length=12)],
    origin: Annotated[str, Query(min_length=2, max_length=3)],
) -> HTMLResponse:
    info = await blocking(portal.goods_info, node, hs, origin)
    return _public(request, "portal_goods.html", info=info, duration=duration)


AREA = Area(name="portal", router=router)
