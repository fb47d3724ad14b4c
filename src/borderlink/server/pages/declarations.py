"""Declarations: the filtered list, one declaration in full, recording its inspection outcome."""

from __future__ import annotations

import datetime as dt
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from borderlink.errors import InvalidInput
from borderlink.model import InspectionMethod, Outcome, labels
from borderlink.server.deps import NodeDep, blocking
from borderlink.server.pages.charts import contribution_chart
from borderlink.server.pages.common import (
    checked_form,
    language,
    local_target,
    page_allowed,
    query_filter,
    redirect,
    render,
    sayer,
)
from borderlink.server.pages.inspections import inspection_parts
from borderlink.server.pages.registry import Area, NavEntry
from borderlink.services.accounts.access import Permission, Principal
from borderlink.services.declarations import browse
from borderlink.services.declarations import read as service
from borderlink.services.ingest import details, versions
from borderlink.services.risk import targeting

router = APIRouter(include_in_schema=False)
PAGE = 50

Reader = Annotated[Principal, page_allowed(Permission.DECLARATIONS_READ)]
Inspector = Annotated[Principal, page_allowed(Permission.OUTCOMES_RECORD)]


@router.get("/declarations")
async def list_page(
    request: Request,
    node: NodeDep,
    principal: Reader,
    flt: Annotated[browse.DeclarationSearch, Depends(query_filter(browse.DeclarationSearch))],
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> HTMLResponse:
    result = await blocking(
        browse.list_declarations, node, principal, flt, limit=PAGE, offset=(page - 1) * PAGE
    )
    query = flt.model_dump(mode="json", exclude_none=True)
    pages = max(1, -(-result.total // PAGE))

    def link(n: int) -> str:
        return "/declarations?" + urlencode({**query, "page": n})

    return render(
        request,
        "declarations.html",
        result=result,
        flt=flt,
        page=page,
        pages=pages,
        prev_link=link(page - 1) if page > 1 else None,
        next_link=link(page + 1) if page < pages else None,
        export_link="/api/v1/declarations/export?" + urlencode(query),
    )


@router.get("/declarations/{declaration_id}")
async def detail_page(
    request: Request,
    node: NodeDep,
    principal: Reader,
    declaration_id: Annotated[str, Path(max_length=64)],
    saved: Annotated[bool, Query()] = False,
) -> HTMLResponse:
    declaration = await blocking(
        service.get_declaration, node, principal, declaration_id, reason="page view"
    )
    score = await blocking(targeting.latest_score, node, principal, declaration_id)
    changes = await blocking(versions.history, node, principal, declaration_id)
    sent = await blocking(details.as_sent, node, principal, declaration_id)
    inspection = await blocking(inspection_parts, node, principal, declaration_id)
    lang, gettext = language(request)
    say = sayer(gettext, lang)
    contributions = [
        (say(r.get("label_message") or {"text": r.get("label")}), float(r["contribution"]))
        for r in (score.reasons if score else [])
        if isinstance(r.get("contribution"), int | float)
    ]
    title = gettext("What raised and what lowered the model's score")
    chart = contribution_chart(contributions, title=title, gettext=gettext, lang=lang)
    return render(
        request,
        "declaration.html",
        d=declaration,
        score=score,
        explanation=chart if contributions else None,
        labels=labels,
        saved=saved,
        versions=changes,
        sent=sent,
        can_record=principal.can(Permission.OUTCOMES_RECORD),
        today=dt.datetime.now(dt.UTC).date(),
        **inspection,
    )


@router.post("/declarations/{declaration_id}/outcome")
async def record_outcome(
    request: Request,
    node: NodeDep,
    principal: Inspector,
    declaration_id: Annotated[str, Path(max_length=64)],
) -> RedirectResponse:
    form = await checked_form(request)
    if form.get("illicit") not in ("yes", "no"):  # no default: "compliant" is a finding too
        raise InvalidInput(
            f"declaration {declaration_id}: choose compliant or illicit", field="illicit"
        )
    try:
        outcome = Outcome(
            declaration_id=declaration_id,
            illicit=form["illicit"] == "yes",
            severity=int(form.get("severity") or 0),
            revenue_recovered=float(form["revenue_recovered"])
            if form.get("revenue_recovered")
            else None,
            inspected_on=dt.date.fromisoformat(form["inspected_on"])
            if form.get("inspected_on")
            else None,
            officer=principal.username,
            note=form.get("note") or None,
            method=InspectionMethod(form["method"]) if form.get("method") else None,
        )
    except ValueError as error:
        raise InvalidInput(f"outcome not understood: {error}") from None
    await blocking(service.record_outcome, node, principal, outcome)
    if form.get("next"):
        return redirect(local_target(form["next"]))
    return redirect(f"/declarations/{declaration_id}?saved=1")


AREA = Area(
    name="declarations",
    router=router,
    nav=(NavEntry("Declarations", "/declarations", Permission.DECLARATIONS_READ, order=20),),
)
