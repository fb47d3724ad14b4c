"""Agreements (lifecycle state, what flows, for what, whether both sides hold the same terms),
partner nodes, and the quarantine of envelopes a sync refused."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from borderlink.errors import InvalidInput
from borderlink.model.cooperation import AgreementState
from borderlink.server.deps import NodeDep, blocking
from borderlink.server.pages.common import checked_form, page_allowed, redirect, render
from borderlink.server.pages.i18n import N_
from borderlink.server.pages.registry import Area, NavEntry
from borderlink.services.accounts.access import Permission, Principal
from borderlink.services.cooperation import agreements, partners, sharing
from borderlink.services.exchange import quarantine

router = APIRouter(include_in_schema=False)
Liaison = Annotated[Principal, page_allowed(Permission.AGREEMENTS_MANAGE)]


@router.get("/agreements")
async def agreements_page(request: Request, node: NodeDep, who: Liaison) -> HTMLResponse:
    found = await blocking(agreements.list_agreements, node, who)
    return render(
        request,
        "agreements.html",
        agreements=found,
        moves={a.agreement_id: await blocking(agreements.next_states, a) for a in found},
        copies=await blocking(agreements.copy_checks, node, who),
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


Sharer = Annotated[Principal, page_allowed(Permission.SHARING_OUTGOING)]


@router.get("/sharing/quarantine")
async def quarantine_page(request: Request, node: NodeDep, who: Sharer) -> HTMLResponse:
    return render(
        request,
        "quarantine.html",
        held=await blocking(quarantine.list_quarantine, node, who, limit=200),
    )


@router.post("/sharing/quarantine/retry")
async def quarantine_retry(request: Request, node: NodeDep, who: Sharer) -> RedirectResponse:
    form = await checked_form(request)
    await blocking(quarantine.retry, node, who, partner_id=form.get("partner_id") or None)
    return redirect("/sharing/quarantine")


AREA = Area(
    name="cooperation",
    router=router,
    nav=(
        NavEntry(
            "Agreements",
            "/agreements",
            Permission.AGREEMENTS_MANAGE,
            order=70,
            section=N_("Cooperation"),
        ),
        NavEntry(
            "Partners", "/partners", Permission.PARTNERS_MANAGE, order=71, section=N_("Cooperation")
        ),
        NavEntry(
            "Alerts & seizures",
            "/sharing",
            Permission.SHARING_OUTGOING,
            order=72,
            section=N_("Cooperation"),
        ),
        NavEntry(
            "Quarantine",
            "/sharing/quarantine",
            Permission.SHARING_OUTGOING,
            order=73,
            section=N_("Cooperation"),
        ),
    ),
)
