"""``/api/v1/referrals`` and ``/api/v1/agency-rules``: referrals to other border agencies.

Agency officers list and answer the referrals addressed to their agency (others' are "not
found"); customs staff read them (officers: their office's) with the agencies' findings; risk
analysts and administrators keep the routing rules and run the routing.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Depends, Path, Query
from pydantic import BaseModel, Field

from borderlink.errors import Conflict
from borderlink.model import IsoDate, ReferralAnswer
from borderlink.server.deps import NodeDep, allowed, blocking
from borderlink.server.openapi import raises
from borderlink.services.accounts.access import Permission, Principal
from borderlink.services.coordination import agency_rules, referrals, routing
from borderlink.services.declarations.read import MAX_PAGE, Page

router = APIRouter(prefix="/api/v1", tags=["referrals"])

Reader = Annotated[Principal, Depends(allowed(Permission.REFERRALS_READ))]
Answerer = Annotated[Principal, Depends(allowed(Permission.REFERRALS_ANSWER))]
Manager = Annotated[Principal, Depends(allowed(Permission.REFERRALS_MANAGE))]
ReferralId = Annotated[int, Path(ge=1, le=2**31 - 1)]
MAX_RULES = 1000
MAX_ROUTED = 10_000


class RouteRequest(BaseModel):
    since: IsoDate | None = Field(default=None, description="Declared on or after")
    until: IsoDate | None = Field(default=None, description="Declared on or before")
    declaration_ids: list[Annotated[str, Field(min_length=1, max_length=64)]] | None = Field(
        default=None, max_length=MAX_ROUTED, description="Only these (default: all in the window)"
    )


class RouteResult(BaseModel):
    declarations: int = Field(description="Declarations the active rules were evaluated on")
    referred: int = Field(description="Referrals created by this run")
    already: int = Field(description="Declaration-agency pairs referred before (left as they are)")
    agencies: dict[str, int] = Field(description="Referrals created, per agency")


@router.get("/referrals")
async def list_referrals(
    node: NodeDep,
    principal: Reader,
    flt: Annotated[referrals.ReferralFilter, Query()],
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> Page[referrals.ReferralView]:
    """Referrals the caller may see, waiting ones first, oldest first."""
    return await blocking(
        referrals.list_referrals, node, principal, flt, limit=limit, offset=offset
    )


@router.get("/referrals/clearance")
async def clearance(node: NodeDep, principal: Reader) -> list[referrals.AgencyClearance]:
    """How long agencies take to respond, decide and close (p50/p90 hours), and what waits."""
    return await blocking(referrals.clearance, node, principal)


@router.post("/referrals/route")
async def route(body: RouteRequest, node: NodeDep, principal: Manager) -> RouteResult:
    """Apply the active agency rules to stored declarations (idempotent: nothing twice)."""
    done = await blocking(
        routing.route_declarations,
        node,
        principal,
        since=body.since,
        until=body.until,
        declaration_ids=body.declaration_ids,
    )
    return RouteResult(
        declarations=done.declarations,
        referred=done.referred,
        already=done.already,
        agencies=done.agencies,
    )


@router.get("/referrals/{referral_id}")
async def get_referral(
    referral_id: ReferralId, node: NodeDep, principal: Reader
) -> referrals.ReferralDetail:
    """One referral with the consignment's goods (party identities for nominal readers only)."""
    return await blocking(referrals.get_referral, node, principal, referral_id)


@router.post("/referrals/{referral_id}/answer", responses=raises(Conflict))
async def answer_referral(
    referral_id: ReferralId, body: ReferralAnswer, node: NodeDep, principal: Answerer
) -> referrals.ReferralView:
    """The agency's answer: acknowledged, cleared, held or rejected, with its finding."""
    return await blocking(referrals.answer_referral, node, principal, referral_id, body)


@router.get("/agency-rules")
async def list_rules(node: NodeDep, principal: Reader) -> list[agency_rules.RuleView]:
    """The routing rules (an agency officer: those routing to their agency)."""
    return await blocking(agency_rules.list_rules, node, principal)


@router.post("/agency-rules")
async def save_rules(
    body: Annotated[list[agency_rules.AgencyRule], Body(min_length=1, max_length=MAX_RULES)],
    node: NodeDep,
    principal: Manager,
) -> list[agency_rules.RuleChange]:
    """Add rules, or replace them by name (each condition is checked first; same rule, no
    change)."""
    return await blocking(agency_rules.save_rules, node, principal, body)
