"""``/api/v1/operations``: joint operations this node coordinates or takes part in.

Liaison officers create and move operations (the coordinator's) and report this node's daily
results; readers with ``operations:read`` see the operations, the dashboard and the final report.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Depends, Path, Request, Response
from pydantic import BaseModel, Field

from borderlink.errors import Conflict, NotFound, PolicyDenied
from borderlink.server.deps import NodeDep, allowed, blocking
from borderlink.server.openapi import raises
from borderlink.services.accounts.access import Permission, Principal
from borderlink.services.cooperation import operations

router = APIRouter(prefix="/api/v1/operations", tags=["operations"])

Reader = Annotated[Principal, Depends(allowed(Permission.OPERATIONS_READ))]
Manager = Annotated[Principal, Depends(allowed(Permission.OPERATIONS_MANAGE))]
OperationId = Annotated[str, Path(min_length=1, max_length=128)]


class Issued(BaseModel):
    record_id: str | None = Field(description="The record issued (null: nothing changed)")
    released_to: list[str]


class StateIn(BaseModel):
    to: Literal["active", "ended", "cancelled"]


class ReportIn(BaseModel):
    day: dt.date
    results: dict[str, Any] = Field(
        default_factory=dict,
        description="seizures, quantity, quantity_unit, value, arrests, referrals, inspected, "
        "hs_chapters, routes, notes",
    )


def _transport(request: Request) -> Any:
    return getattr(request.app.state, "exchange_transport", None)


@router.get("")
async def list_operations(node: NodeDep, principal: Reader) -> list[operations.OperationView]:
    """The operations this node takes part in."""
    return await blocking(operations.list_operations, node, principal)


@router.post("", responses=raises(PolicyDenied))
async def create(
    request: Request,
    node: NodeDep,
    principal: Manager,
    body: Annotated[dict[str, Any], Body(description="The operation's fields")],
) -> Issued:
    """Coordinate a new operation (planned); the same code again changes nothing."""
    done = await blocking(
        operations.create_operation, node, principal, body, transport_for=_transport(request)
    )
    return Issued(
        record_id=done.record_id if done else None, released_to=done.released_to if done else []
    )


@router.post("/{operation_id}/state", responses=raises(NotFound, Conflict, PolicyDenied))
async def move(
    operation_id: OperationId, body: StateIn, request: Request, node: NodeDep, principal: Manager
) -> Issued:
    """Start, end or cancel an operation this node coordinates."""
    done = await blocking(
        operations.move_operation,
        node,
        principal,
        operation_id,
        body.to,
        transport_for=_transport(request),
    )
    return Issued(record_id=done.record_id, released_to=done.released_to)


@router.post("/{operation_id}/reports", responses=raises(NotFound, PolicyDenied))
async def report(
    operation_id: OperationId, body: ReportIn, request: Request, node: NodeDep, principal: Manager
) -> Issued:
    """This node's results for a day (again for the same day: a correction)."""
    done = await blocking(
        operations.report_results,
        node,
        principal,
        operation_id,
        body.day,
        body.results,
        transport_for=_transport(request),
    )
    return Issued(record_id=done.record_id, released_to=done.released_to)


@router.get("/{operation_id}/dashboard", responses=raises(NotFound))
async def dashboard(operation_id: OperationId, node: NodeDep, principal: Reader) -> dict[str, Any]:
    """Results by participant, day, HS chapter and route; shared profiles' hits per node."""
    board = await blocking(operations.operation_dashboard, node, principal, operation_id)
    return asdict(board)


@router.get("/{operation_id}/report.csv", responses=raises(NotFound))
async def final_report(operation_id: OperationId, node: NodeDep, principal: Reader) -> Response:
    """The final report as CSV: one row per participant, then the totals."""
    text = await blocking(operations.final_report_csv, node, principal, operation_id)
    return Response(
        text,
        media_type="text/csv",
        headers={"Content-Disposition": 'attachment; filename="operation-report.csv"'},
    )
