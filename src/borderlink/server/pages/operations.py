"""Joint operations: the list of those this node takes part in, and each one's dashboard (a
printable page: results by participant, day, HS chapter and route, the shared profiles' hits)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse

from borderlink.server.deps import NodeDep, blocking
from borderlink.server.pages.common import page_allowed, render
from borderlink.server.pages.i18n import N_
from borderlink.server.pages.registry import Area, NavEntry
from borderlink.services.accounts.access import Permission, Principal
from borderlink.services.cooperation import operations

router = APIRouter(include_in_schema=False)

Reader = Annotated[Principal, page_allowed(Permission.OPERATIONS_READ)]
OperationId = Annotated[str, Path(min_length=1, max_length=128)]


@router.get("/operations")
async def list_page(request: Request, node: NodeDep, principal: Reader) -> HTMLResponse:
    found = await blocking(operations.list_operations, node, principal)
    return render(request, "operations.html", operations=found)


@router.get("/operations/{operation_id}")
async def dashboard_page(
    request: Request, node: NodeDep, principal: Reader, operation_id: OperationId
) -> HTMLResponse:
    board = await blocking(operations.operation_dashboard, node, principal, operation_id)
    rows = await blocking(operations.report_rows, board)
    return render(request, "operation.html", board=board, rows=rows)


AREA = Area(
    name="operations",
    router=router,
    nav=(
        NavEntry(
            "Operations",
            "/operations",
            Permission.OPERATIONS_READ,
            order=56,
            section=N_("Cooperation"),
        ),
    ),
)
