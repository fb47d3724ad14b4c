"""Agreements (lifecycle state, what flows, for what) and partner nodes."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from borderlink.errors import InvalidInput
from borderlink.model.cooperation import AgreementState
from borderlink.server.deps import NodeDep, blocking
from borderlink.server.pages.common import checked_form, page_allowed, redirect, render
from borderlink.server.pages.registry import Area, NavEntry
from borderlink.services.accounts.access import Permission, Principal
from borderlink.services.cooperation import agreements, partners, sharing

router = APIRouter(include_in_schema=False)
Liaison = Annotated[Principal, page_allowed(Permission.AGREEMENTS_MANAGE)]


@router.get("/agreements")
async def agreements_page(request: Request, node: NodeDep, who: Liaison) -> HTMLResponse:
    return render(
        request,
        "agreements.html",
        agreements=await blocking(agreements.list_agreements, node, who),
        states=list(AgreementState),
        node_id=node.settings.node_id,
    )


@router.post("/agreements/{agreement_id}/transition")
async def transition(
    request: Request,
    node: NodeDep,
    who: Liaison,
    agreement_id: Annotated[str, Path(max_length=64)],
) -> RedirectResponse:
    form = await checked_form(request)
    try:
        to = AgreementState(form.get("to", ""))
    except ValueError:
        raise InvalidInput("choose a state to move to", field="to") from None
    await blocking(
        agreements.transition_agreement,
        node,
        who,
        agreement_id,
        to,
        reason=form.get("reason") or None,
    )
    return redirect("/agreements")


@router.get("/partners")
async def partners_page(
    request: Request,
    node: NodeDep,
    who: Annotated[Principal, page_allowed(Permission.PARTNERS_MANAGE)],
) -> HTMLResponse:
    return render(
        request, "partners.html", partners=await blocking(partners.list_partners, node, who)
    )


@router.get("/sharing")
async def sharing_page(
    request: Request,
    node: NodeDep,
    who: Annotated[Principal, page_allowed(Permission.SHARING_OUTGOING)],
) -> HTMLResponse:
    return render(
        request,
        "sharing.html",
        inbox=await blocking(sharing.inbox, node, who, limit=100),
        outbox=await blocking(sharing.outbox, node, who, limit=100),
    )


AREA = Area(
    name="cooperation",
    router=router,
    nav=(
        NavEntry("Agreements", "/agreements", Permission.AGREEMENTS_MANAGE, order=70),
        NavEntry("Partners", "/partners", Permission.PARTNERS_MANAGE, order=71),
        NavEntry("Alerts & seizures", "/sharing", Permission.SHARING_OUTGOING, order=72),
    ),
)
