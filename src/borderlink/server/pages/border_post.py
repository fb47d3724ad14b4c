"""The border post's pages: joint inspections (list, one with each agency's part, planning from
the declaration) and the agencies' standard operating procedures (list, read, publish).

SOP bodies are Markdown, rendered with raw HTML disabled: a procedure can format text and link,
never inject markup into the page.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from markdown_it import MarkdownIt
from markupsafe import Markup
from pydantic import ValidationError

from borderlink.errors import InvalidInput
from borderlink.model import ReferralStatus
from borderlink.server.deps import NodeDep, blocking
from borderlink.server.pages.charts import duration
from borderlink.server.pages.common import checked_form, page_allowed, redirect, render
from borderlink.server.pages.i18n import N_
from borderlink.server.pages.referrals import answers
from borderlink.server.pages.registry import Area, NavEntry
from borderlink.services.accounts.access import Permission, Principal
from borderlink.services.coordination import joint, sops

router = APIRouter(include_in_schema=False)
PAGE = 50

Reader = Annotated[Principal, page_allowed(Permission.REFERRALS_READ)]
Inspector = Annotated[Principal, page_allowed(Permission.OUTCOMES_RECORD)]
Publisher = Annotated[Principal, page_allowed(Permission.SOPS_PUBLISH)]
JointId = Annotated[int, Path(ge=1, le=2**31 - 1)]
Name = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")]


def markdown(text: str) -> Markup:
    """An SOP's Markdown as HTML, raw HTML in it escaped (never passed through)."""
    html = MarkdownIt("commonmark", {"html": False}).render(text)
    return Markup(html)  # noqa: S704 - markdown-it escapes the text; raw HTML is disabled


def moves(status: str) -> list[ReferralStatus]:
    """The answers an agency may still give to its referral (none once closed)."""
    try:
        return answers(ReferralStatus(status))
    except ValueError:  # "not referred": nothing to answer
        return []


def seconds(value: float | None) -> str:
    return duration(None if value is None else value / 3600)


@router.get("/joint-inspections")
async def list_page(
    request: Request,
    node: NodeDep,
    principal: Reader,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> HTMLResponse:
    found = await blocking(joint.list_joint, node, principal, limit=PAGE, offset=(page - 1) * PAGE)
    total = await blocking(joint.summary, node, principal)
    return render(
        request,
        "joint_inspections.html",
        result=found,
        summary=total,
        page=page,
        pages=max(1, -(-found.total // PAGE)),
        seconds=seconds,
        duration=duration,
    )


@router.get("/joint-inspections/{joint_id}")
async def detail_page(
    request: Request,
    node: NodeDep,
    principal: Reader,
    joint_id: JointId,
    saved: Annotated[bool, Query()] = False,
) -> HTMLResponse:
    found = await blocking(joint.get_joint, node, principal, joint_id)
    procedures = await blocking(sops.for_agencies, node, principal, found.agencies)
    return render(
        request,
        "joint_inspection.html",
        j=found,
        sops=procedures,
        saved=saved,
        seconds=seconds,
        answers_status=moves,
        can_answer=principal.can(Permission.REFERRALS_ANSWER),
        can_plan=principal.can(Permission.OUTCOMES_RECORD),
        can_read_declaration=principal.can(Permission.DECLARATIONS_READ),
        agency=principal.agency,
    )


def _plan(form: dict[str, str], declaration_id: str) -> joint.JointPlan:
    agencies = [k.removeprefix("agency:") for k, v in form.items() if k.startswith("agency:") and v]
    try:
        when = dt.datetime.fromisoformat(form.get("scheduled_at", ""))
        if when.tzinfo is None:  # the form's local time is the post's: given in UTC
            when = when.replace(tzinfo=dt.UTC)
        return joint.JointPlan(
            scheduled_at=when,
            place=form.get("place", ""),
            agencies=tuple(agencies),
            note=form.get("note") or None,
        )
    except (ValueError, ValidationError) as error:
        raise InvalidInput(
            f"declaration {declaration_id}: joint inspection not understood: {error}",
            field="scheduled_at",
        ) from None


@router.post("/declarations/{declaration_id}/joint-inspection")
async def plan(
    request: Request,
    node: NodeDep,
    principal: Inspector,
    declaration_id: Annotated[str, Path(max_length=64)],
) -> RedirectResponse:
    form = await checked_form(request)
    made = await blocking(
        joint.plan_joint, node, principal, declaration_id, _plan(form, declaration_id)
    )
    return redirect(f"/joint-inspections/{made.joint_id}?saved=1")


@router.post("/joint-inspections/{joint_id}/cancel")
async def cancel(
    request: Request, node: NodeDep, principal: Inspector, joint_id: JointId
) -> RedirectResponse:
    form = await checked_form(request)
    await blocking(joint.cancel_joint, node, principal, joint_id, form.get("reason", ""))
    return redirect(f"/joint-inspections/{joint_id}?saved=1")


@router.get("/sops")
async def sops_page(
    request: Request, node: NodeDep, principal: Reader, saved: Annotated[bool, Query()] = False
) -> HTMLResponse:
    return render(
        request,
        "sops.html",
        sops=await blocking(sops.list_sops, node, principal),
        saved=saved,
        can_publish=principal.can(Permission.SOPS_PUBLISH),
        agency=principal.agency,
    )


@router.get("/sops/{agency}/{referral_type}")
async def sop_page(
    request: Request,
    node: NodeDep,
    principal: Reader,
    agency: Name,
    referral_type: Name,
    version: Annotated[int | None, Query(ge=1, le=1_000_000)] = None,
) -> HTMLResponse:
    sop, versions = await blocking(sops.get_sop, node, principal, agency, referral_type, version)
    return render(
        request,
        "sop.html",
        sop=sop,
        versions=versions,
        body=markdown(sop.body),
        can_publish=principal.can(Permission.SOPS_PUBLISH)
        and principal.agency in (None, sop.agency),
    )


@router.post("/sops")
async def publish(request: Request, node: NodeDep, principal: Publisher) -> RedirectResponse:
    form = await checked_form(request)
    try:
        draft = sops.SopDraft(
            agency=form.get("agency") or principal.agency or "",
            referral_type=form.get("referral_type") or "any",
            title=form.get("title", ""),
            body=form.get("body", ""),
        )
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise InvalidInput(f"SOP: {where}: {first['msg']}", field=where) from None
    sop, _ = await blocking(sops.publish, node, principal, draft)
    return redirect(f"/sops/{sop.agency}/{sop.referral_type}")


AREA = Area(
    name="border-post",
    router=router,
    nav=(
        NavEntry(
            "Joint inspections",
            "/joint-inspections",
            Permission.REFERRALS_READ,
            order=42,
            section=N_("Border post"),
        ),
        NavEntry("SOPs", "/sops", Permission.REFERRALS_READ, order=44, section=N_("Border post")),
    ),
)
