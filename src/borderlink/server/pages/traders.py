"""A trader's page (history, outcomes, channels, screening hits, linked records, its
neighbourhood) and the network view around a trader or a seizure.

The network view is the one page with a script: the vendored Cytoscape.js (``static/vendor``,
its licence beside it) and ``static/network.js``, both from this site, so its policy allows
``script-src 'self'`` (and inline styles, which Cytoscape.js sets) and nothing more. The graph
travels as JSON in the page; the table under it says the same with JavaScript off.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse

from borderlink.server.deps import NodeDep, blocking
from borderlink.server.pages.common import page_allowed, render
from borderlink.server.pages.registry import Area
from borderlink.server.security import HEADERS
from borderlink.services.accounts.access import Permission, Principal
from borderlink.services.screening import network

router = APIRouter(include_in_schema=False)

Reader = Annotated[Principal, page_allowed(Permission.NOMINAL_READ)]
PartyId = Annotated[str, Path(min_length=1, max_length=64)]
# Cytoscape.js sets its container's few style rules inline: styles may be inline on this
# page (no script may be), which carries no user-written markup but escaped text.
WITH_SCRIPT = HEADERS["Content-Security-Policy"].replace(
    "script-src 'none'", "script-src 'self'; style-src 'self' 'unsafe-inline'"
)


@router.get("/traders/{party_id}")
async def trader_page(
    request: Request, node: NodeDep, principal: Reader, party_id: PartyId
) -> HTMLResponse:
    found = await blocking(network.trader, node, principal, party_id)
    return render(request, "trader.html", t=found, net=found.network)


@router.get("/network")
async def network_page(
    request: Request,
    node: NodeDep,
    principal: Reader,
    center: Annotated[str, Query(min_length=3, max_length=200)],
) -> HTMLResponse:
    found = await blocking(network.network_around, node, principal, center)
    # In a script element only "</script" could end it: no "<" travels raw.
    graph_json = found.model_dump_json().replace("<", "\\u003c")
    response = render(request, "network.html", net=found, graph_json=graph_json)
    response.headers["Content-Security-Policy"] = WITH_SCRIPT
    return response


AREA = Area(name="traders", router=router)
