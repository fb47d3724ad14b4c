"""Mutual assistance: the work lists (partners' requests with their deadlines, this node's with
the time waited), the per-partner figures, and one request with its reply and the reply form."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from borderlink.model.cooperation import RefusalGround, ReplyState
from borderlink.server.deps import NodeDep, blocking
from borderlink.server.pages.common import checked_form, page_allowed, redirect, render
from borderlink.server.pages.i18n import N_
from borderlink.server.pages.registry import Area, NavEntry
from borderlink.services.accounts.access import Permission, Principal
from borderlink.services.cooperation import assistance, assistance_views

router = APIRouter(include_in_schema=False)
PAGE = 100

Reader = Annotated[Principal, page_allowed(Permission.ASSISTANCE_READ)]
Answerer = Annotated[Principal, page_allowed(Permission.ASSISTANCE_ANSWER)]
RequestId = Annotated[str, Path(min_length=1, max_length=128)]


@router.get("/assistance")
async def list_page(request: Request, node: NodeDep, principal: Reader) -> HTMLResponse:
    incoming = await blocking(assistance_views.work_list, node, principal, "incoming", limit=PAGE)
    outgoing = await blocking(assistance_views.work_list, node, principal, "outgoing", limit=PAGE)
    figures = await blocking(assistance_views.partner_figures, node, principal)
    return render(request, "assistance.html", incoming=incoming, outgoing=outgoing, figures=figures)


def _steps(state: str | None, incoming: bool) -> list[str]:
    if not incoming or state in (None, "withdrawn", "draft"):
        return []
    current = None if state == "received" else ReplyState(state)
    return [s.value for s in ReplyState if s in assistance.REPLY_TRANSITIONS[current]]


@router.get("/assistance/{request_id}")
async def detail_page(
    request: Request, node: NodeDep, principal: Reader, request_id: RequestId
) -> HTMLResponse:
    found = await blocking(assistance_views.case_detail, node, principal, request_id)
    incoming = found.case.direction == "incoming"
    return render(
        request,
        "assistance_case.html",
        c=found,
        steps=_steps(found.case.state, incoming)
        if principal.can(Permission.ASSISTANCE_ANSWER)
        else [],
        grounds=[g.value for g in RefusalGround],
    )


@router.post("/assistance/{request_id}/reply")
async def reply(
    request: Request, node: NodeDep, principal: Answerer, request_id: RequestId
) -> RedirectResponse:
    form = await checked_form(request)
    history = [t.strip() for t in form.get("history_of", "").split(",") if t.strip()]
    await blocking(
        assistance.reply,
        node,
        principal,
        request_id,
        form.get("state", ""),
        findings=form.get("findings") or None,
        ground=form.get("ground") or None,
        history_of=history,
        transport_for=getattr(request.app.state, "exchange_transport", None),
    )
    return redirect(f"/assistance/{request_id}")


AREA = Area(
    name="assistance",
    router=router,
    nav=(
        NavEntry(
            "Assistance",
            "/assistance",
            Permission.ASSISTANCE_READ,
            order=55,
            section=N_("Cooperation"),
        ),
    ),
)
