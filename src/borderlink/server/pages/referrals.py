"""Referrals to other border agencies: the work list with answer forms, one referral in full,
clearance times (chart and table), and the routing rules."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import ValidationError

from borderlink.errors import InvalidInput
from borderlink.model import ReferralAnswer, ReferralStatus
from borderlink.model.referral import TRANSITIONS
from borderlink.server.deps import NodeDep, blocking
from borderlink.server.pages.charts import bar_chart, duration
from borderlink.server.pages.common import (
    checked_form,
    local_target,
    page_allowed,
    query_filter,
    redirect,
    render,
)
from borderlink.server.pages.i18n import N_
from borderlink.server.pages.registry import Area, NavEntry
from borderlink.services.accounts.access import Permission, Principal
from borderlink.services.coordination import agency_rules, joint, referrals, sops

router = APIRouter(include_in_schema=False)
PAGE = 50

Reader = Annotated[Principal, page_allowed(Permission.REFERRALS_READ)]
Answerer = Annotated[Principal, page_allowed(Permission.REFERRALS_ANSWER)]
ReferralId = Annotated[int, Path(ge=1, le=2**31 - 1)]


def answers(status: ReferralStatus) -> list[ReferralStatus]:
    """The answers the lifecycle allows from ``status``, in its order (none once closed)."""
    return [s for s in ReferralStatus if s in TRANSITIONS[status]]


@router.get("/referrals")
async def list_page(
    request: Request,
    node: NodeDep,
    principal: Reader,
    flt: Annotated[referrals.ReferralFilter, Depends(query_filter(referrals.ReferralFilter))],
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> HTMLResponse:
    result = await blocking(
        referrals.list_referrals, node, principal, flt, limit=PAGE, offset=(page - 1) * PAGE
    )
    times = await blocking(referrals.clearance, node, principal)
    query = flt.model_dump(mode="json", exclude_none=True)
    pages = max(1, -(-result.total // PAGE))

    def link(n: int) -> str:
        return "/referrals?" + urlencode({**query, "page": n})

    per_agency = [t for t in times[:-1] if t.answer_p50_hours is not None]
    chart = bar_chart(
        [(t.agency, t.answer_p50_hours or 0.0) for t in per_agency],
        title="Median hours from referral to decision, per agency",
        unit=" h",
        width=420,
    )
    return render(
        request,
        "referrals.html",
        result=result,
        flt=flt,
        page=page,
        pages=pages,
        prev_link=link(page - 1) if page > 1 else None,
        next_link=link(page + 1) if page < pages else None,
        times=times,
        duration=duration,
        joint=await blocking(joint.summary, node, principal),
        chart=chart if per_agency else None,
        rules=await blocking(agency_rules.list_rules, node, principal),
        statuses=list(ReferralStatus),
        answers=answers,
        can_answer=principal.can(Permission.REFERRALS_ANSWER),
        next_here=str(request.url.path) + ("?" + request.url.query if request.url.query else ""),
    )


@router.get("/referrals/{referral_id}")
async def detail_page(
    request: Request,
    node: NodeDep,
    principal: Reader,
    referral_id: ReferralId,
    saved: Annotated[bool, Query()] = False,
) -> HTMLResponse:
    found = await blocking(referrals.get_referral, node, principal, referral_id)
    procedures = await blocking(sops.for_agencies, node, principal, [found.agency], found.rules)
    inspection = await blocking(joint.joint_for, node, principal, found.declaration_id)
    return render(
        request,
        "referral.html",
        r=found,
        sops=procedures,
        joint=inspection,
        saved=saved,
        answers=answers(found.status),
        can_answer=principal.can(Permission.REFERRALS_ANSWER) and principal.agency == found.agency,
        can_read_declaration=principal.can(Permission.DECLARATIONS_READ),
    )


@router.post("/referrals/{referral_id}/answer")
async def answer(
    request: Request, node: NodeDep, principal: Answerer, referral_id: ReferralId
) -> RedirectResponse:
    form = await checked_form(request)
    try:
        given = ReferralAnswer(
            status=ReferralStatus(form.get("status", "")), finding=form.get("finding") or None
        )
    except (ValueError, ValidationError) as error:
        raise InvalidInput(f"answer not understood: {error}", field="status") from None
    await blocking(referrals.answer_referral, node, principal, referral_id, given)
    if form.get("next"):
        return redirect(local_target(form["next"], default="/referrals"))
    return redirect(f"/referrals/{referral_id}?saved=1")


AREA = Area(
    name="referrals",
    router=router,
    nav=(
        NavEntry(
            "Referrals",
            "/referrals",
            Permission.REFERRALS_READ,
            order=40,
            section=N_("Border post"),
        ),
    ),
)
