"""A declaration's inspection, on its page and beside it: who inspects it and when (within the
office's capacity), the printable inspection order, the structured inspection report, the joint
inspection with the agencies it is referred to, and the seizure reported to partners.

:func:`inspection_parts` gathers what the declaration page shows of it; the forms post here.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from borderlink.errors import InvalidInput
from borderlink.server.deps import NodeDep, blocking
from borderlink.server.pages.common import checked_form, page_allowed, redirect, render
from borderlink.server.pages.registry import Area
from borderlink.server.pages.report_form import report_form
from borderlink.server.photo_response import photo_response
from borderlink.services.accounts.access import Permission, Principal
from borderlink.services.coordination import inspections, joint, photos, referrals, seizures, sops
from borderlink.services.declarations import read as declarations
from borderlink.services.node import Node
from borderlink.services.risk import targeting

router = APIRouter(include_in_schema=False)

Reader = Annotated[Principal, page_allowed(Permission.DECLARATIONS_READ)]
Inspector = Annotated[Principal, page_allowed(Permission.OUTCOMES_RECORD)]
Sharer = Annotated[Principal, page_allowed(Permission.SHARING_OUTGOING)]
DeclarationId = Annotated[str, Path(max_length=64)]
Digest = Annotated[str, Path(pattern=r"^[0-9a-f]{64}$")]


def inspection_parts(node: Node, principal: Principal, declaration_id: str) -> dict[str, Any]:
    """What the declaration page shows of the inspection (blocking: call through ``blocking``)."""
    parts: dict[str, Any] = {
        "assignment": inspections.assignment_for(node, principal, declaration_id),
        "report": inspections.report_for(node, principal, declaration_id),
        "photos": photos.photos_for(node, principal, declaration_id),
        "max_photos": node.settings.max_photos_per_report,
        "max_photo_mib": node.settings.max_photo_bytes / (1 << 20),
        "officers": [],
        "referred": [],
        "joint": None,
        "sops": [],
        "can_share": principal.can(Permission.SHARING_OUTGOING),
        "methods": list(inspections.Method),
    }
    if principal.can(Permission.OUTCOMES_RECORD):
        parts["officers"] = inspections.officers(node, principal, declaration_id)
    if principal.can(Permission.REFERRALS_READ):
        flt = referrals.ReferralFilter(declaration_id=declaration_id)
        found = referrals.list_referrals(node, principal, flt, limit=50).items
        parts["referred"] = found
        parts["joint"] = joint.joint_for(node, principal, declaration_id)
        rules = [rule for r in found for rule in r.rules]
        parts["sops"] = sops.for_agencies(node, principal, [r.agency for r in found], rules)
    return parts


@router.get("/declarations/{declaration_id}/inspection-order")
async def order_page(
    request: Request, node: NodeDep, principal: Reader, declaration_id: DeclarationId
) -> HTMLResponse:
    declaration = await blocking(
        declarations.get_declaration, node, principal, declaration_id, reason="inspection order"
    )
    score = await blocking(targeting.latest_score, node, principal, declaration_id)
    parts = await blocking(inspection_parts, node, principal, declaration_id)
    return render(
        request,
        "inspection_order.html",
        d=declaration,
        score=score,
        printed=dt.datetime.now(dt.UTC),
        **parts,
    )


@router.post("/declarations/{declaration_id}/assignment")
async def assign(
    request: Request, node: NodeDep, principal: Inspector, declaration_id: DeclarationId
) -> RedirectResponse:
    form = await checked_form(request)
    try:
        day = dt.date.fromisoformat(form.get("day", ""))
    except ValueError:
        raise InvalidInput(f"declaration {declaration_id}: give the day", field="day") from None
    await blocking(
        inspections.assign, node, principal, declaration_id, form.get("officer", ""), day
    )
    return redirect(f"/declarations/{declaration_id}?saved=1#inspection")


def _finding(form: dict[str, str], item_no: int) -> dict[str, Any] | None:
    """One goods item's finding from the report form (None: the item was not examined)."""
    key = f"item{item_no}_"
    declared = form.get(key + "as_declared")
    if declared not in ("yes", "no"):
        return None
    out: dict[str, Any] = {"item_no": item_no, "as_declared": declared == "yes"}
    for name in ("found_description", "quantity_unit", "note", "nii_result"):
        if form.get(key + name):
            out[name] = form[key + name]
    for name in ("found_quantity", "seized_quantity"):
        if form.get(key + name):
            out[name] = form[key + name]
    out["sample_taken"] = form.get(key + "sample_taken") == "yes"
    return out


def _report(form: dict[str, str], declaration_id: str) -> inspections.InspectionReport:
    if form.get("result") not in ("compliant", "irregular"):  # no default: a finding too
        raise InvalidInput(
            f"declaration {declaration_id}: choose compliant or irregular", field="result"
        )
    items = sorted(int(k[4:].split("_")[0]) for k in form if k.startswith("item") and "_" in k)
    found = [_finding(form, n) for n in dict.fromkeys(items)]
    values: dict[str, Any] = {
        "methods": [m.value for m in inspections.Method if form.get(f"method_{m.value}") == "yes"],
        "findings": [f for f in found if f is not None],
        "illicit": form["result"] == "irregular",
        "severity": form.get("severity") or 0,
        "revenue_recovered": form.get("revenue_recovered") or None,
        "inspected_on": form.get("inspected_on") or None,
        "note": form.get("note") or None,
    }
    try:
        return inspections.InspectionReport.model_validate(values)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise InvalidInput(
            f"declaration {declaration_id}: {where}: {first['msg']}", field=where
        ) from None


@router.post("/declarations/{declaration_id}/inspection-report")
async def record_report(
    request: Request, node: NodeDep, principal: Inspector, declaration_id: DeclarationId
) -> RedirectResponse:
    form, files = await report_form(request, node.settings, declaration_id)
    report = await blocking(_report, form, declaration_id)
    await blocking(inspections.record_report, node, principal, declaration_id, report, files)
    return redirect(f"/declarations/{declaration_id}?saved=1#inspection")


@router.get("/declarations/{declaration_id}/inspection-photos/{sha256}")
async def photo(
    node: NodeDep, principal: Reader, declaration_id: DeclarationId, sha256: Digest
) -> Response:
    view, data = await blocking(photos.photo, node, principal, declaration_id, sha256)
    return photo_response(view, data)


@router.post("/declarations/{declaration_id}/seizure")
async def report_seizure(
    request: Request, node: NodeDep, principal: Sharer, declaration_id: DeclarationId
) -> RedirectResponse:
    form = await checked_form(request)
    await blocking(
        seizures.report_seizure,
        node,
        principal,
        declaration_id,
        concealment=form.get("concealment") or None,
    )
    return redirect(f"/declarations/{declaration_id}?saved=1#inspection")


AREA = Area(name="inspections", router=router)
