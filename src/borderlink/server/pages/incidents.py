"""Incident reports at the border post: the post's list, a form drawn from the template, one
incident with every agency's entries, and turning it into a seizure report or an alert.

Each form carries a fresh key (the incident's reference, an entry's key), so sending it twice
(a double click, a retry after a timeout) records it once.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from borderlink.server.deps import NodeDep, blocking
from borderlink.server.pages.common import checked_form, page_allowed, redirect, render
from borderlink.server.pages.i18n import N_
from borderlink.server.pages.registry import Area, NavEntry
from borderlink.services.accounts.access import Permission, Principal
from borderlink.services.coordination import incidents

router = APIRouter(include_in_schema=False)
PAGE = 50

Reporter = Annotated[Principal, page_allowed(Permission.INCIDENTS_REPORT)]
Sharer = Annotated[Principal, page_allowed(Permission.SHARING_OUTGOING)]
IncidentId = Annotated[int, Path(ge=1, le=2**31 - 1)]


def _values(template: incidents.IncidentTemplate, form: dict[str, str]) -> dict[str, str]:
    """The template's fields from the form (empty ones left out: nothing to record)."""
    return {f.name: form[f.name] for f in template.fields if form.get(f.name, "").strip()}


@router.get("/incidents")
async def list_page(
    request: Request,
    node: NodeDep,
    principal: Reporter,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> HTMLResponse:
    found = await blocking(
        incidents.list_incidents, node, principal, limit=PAGE, offset=(page - 1) * PAGE
    )
    return render(
        request,
        "incidents.html",
        result=found,
        page=page,
        pages=max(1, -(-found.total // PAGE)),
        templates=await blocking(incidents.list_templates, node, principal),
    )


@router.get("/incidents/new")
async def new_page(
    request: Request,
    node: NodeDep,
    principal: Reporter,
    template: Annotated[str, Query(max_length=64)] = "border-post",
) -> HTMLResponse:
    chosen = await blocking(incidents.template, node, template)
    return render(
        request, "incident_new.html", form_template=chosen, reference=f"INC-{uuid.uuid4().hex[:12]}"
    )


@router.post("/incidents")
async def open_incident(request: Request, node: NodeDep, principal: Reporter) -> RedirectResponse:
    form = await checked_form(request)
    chosen = await blocking(incidents.template, node, form.get("template") or "border-post")
    made = await blocking(
        incidents.open_incident,
        node,
        principal,
        _values(chosen, form),
        reference=form.get("reference") or None,
        template_name=chosen.name,
    )
    return redirect(f"/incidents/{made.incident_id}?saved=1")


@router.get("/incidents/{incident_id}")
async def detail_page(
    request: Request,
    node: NodeDep,
    principal: Reporter,
    incident_id: IncidentId,
    saved: Annotated[bool, Query()] = False,
) -> HTMLResponse:
    found = await blocking(incidents.get_incident, node, principal, incident_id)
    return render(
        request,
        "incident.html",
        i=found,
        saved=saved,
        entry_key=uuid.uuid4().hex,
        can_share=principal.can(Permission.SHARING_OUTGOING),
    )


@router.post("/incidents/{incident_id}/entries")
async def add(
    request: Request, node: NodeDep, principal: Reporter, incident_id: IncidentId
) -> RedirectResponse:
    form = await checked_form(request)
    found = await blocking(incidents.get_incident, node, principal, incident_id)
    await blocking(
        incidents.add_to_incident,
        node,
        principal,
        incident_id,
        _values(found.template, form),
        entry_key=form.get("entry_key") or None,
    )
    return redirect(f"/incidents/{incident_id}?saved=1")


@router.post("/incidents/{incident_id}/seizure")
async def to_seizure(
    request: Request, node: NodeDep, principal: Sharer, incident_id: IncidentId
) -> RedirectResponse:
    await checked_form(request)
    await blocking(incidents.to_seizure, node, principal, incident_id)
    return redirect(f"/incidents/{incident_id}?saved=1")


@router.post("/incidents/{incident_id}/alert")
async def to_alert(
    request: Request, node: NodeDep, principal: Sharer, incident_id: IncidentId
) -> RedirectResponse:
    form = await checked_form(request)
    days = form.get("days") or "90"
    await blocking(
        incidents.to_alert,
        node,
        principal,
        incident_id,
        title=form.get("title", "").strip() or f"Incident {incident_id}",
        days=int(days) if days.isdigit() else 0,
        hs_codes=[c for c in form.get("hs_codes", "").replace(",", " ").split() if c],
        origins=[c.upper() for c in form.get("origins", "").replace(",", " ").split() if c],
    )
    return redirect(f"/incidents/{incident_id}?saved=1")


AREA = Area(
    name="incidents",
    router=router,
    nav=(
        NavEntry(
            "Incidents",
            "/incidents",
            Permission.INCIDENTS_REPORT,
            order=46,
            section=N_("Border post"),
        ),
    ),
)
