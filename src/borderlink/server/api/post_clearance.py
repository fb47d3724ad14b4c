"""``/api/v1/post-clearance/cases``: audits after release of the blue channel's declarations.

Risk analysts (and administrators) open a case over a trader's blue declarations of a period,
assign it to an auditor and close it with the result, findings and revenue recovered; closing
records the declarations' outcomes, which the model learns from.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel, Field

from borderlink.errors import Conflict
from borderlink.model import IsoDate
from borderlink.server.deps import NodeDep, allowed, blocking
from borderlink.server.openapi import raises
from borderlink.services.accounts.access import Permission, Principal
from borderlink.services.risk import post_clearance as pca

router = APIRouter(prefix="/api/v1/post-clearance", tags=["post-clearance audit"])

Auditor = Annotated[Principal, Depends(allowed(Permission.POST_CLEARANCE))]
CaseId = Annotated[str, Path(min_length=1, max_length=160)]


class CaseOpen(BaseModel):
    trader_id: str = Field(min_length=1, max_length=64, description="EORI/TIN as declared")
    period_from: IsoDate
    period_until: IsoDate


class CaseAssign(BaseModel):
    auditor: str = Field(min_length=1, max_length=64, description="A user who may audit")


@router.get("/cases")
async def list_cases(
    node: NodeDep,
    who: Auditor,
    status: Annotated[Literal["open", "assigned", "closed"] | None, Query()] = None,
) -> list[pca.AuditCase]:
    """Cases, newest first."""
    return await blocking(pca.list_cases, node, who, status)


@router.post("/cases")
async def open_case(body: CaseOpen, node: NodeDep, who: Auditor) -> pca.AuditCase:
    """Open (or find) the case of a trader's blue declarations over a period."""
    return await blocking(
        pca.open_case, node, who, body.trader_id, body.period_from, body.period_until
    )


@router.get("/cases/{case_id}")
async def get_case(case_id: CaseId, node: NodeDep, who: Auditor) -> pca.AuditCase:
    return await blocking(pca.get_case, node, who, case_id)


@router.post("/cases/{case_id}/assign", responses=raises(Conflict))
async def assign_case(
    case_id: CaseId, body: CaseAssign, node: NodeDep, who: Auditor
) -> pca.AuditCase:
    """Assign the case to an auditor."""
    return await blocking(pca.assign_case, node, who, case_id, body.auditor)


@router.post("/cases/{case_id}/close", responses=raises(Conflict))
async def close_case(
    case_id: CaseId, body: pca.CaseClose, node: NodeDep, who: Auditor
) -> pca.AuditCase:
    """Close the case with its result; its declarations' outcomes feed learning."""
    return await blocking(pca.close_case, node, who, case_id, body)
