"""Rejected records and the audit log."""

from __future__ import annotations

import datetime as dt
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse

from borderlink.errors import BorderLinkError
from borderlink.server.deps import NodeDep, blocking
from borderlink.server.pages import ingest_upload, jobs
from borderlink.server.pages.common import checked_form, page_allowed, render
from borderlink.server.pages.i18n import N_
from borderlink.server.pages.registry import Area, NavEntry
from borderlink.services.accounts.access import Permission, Principal
from borderlink.services.declarations import browse
from borderlink.services.ingest import rejects

router = APIRouter(include_in_schema=False)
router.include_router(ingest_upload.router)  # uploading is where rejects come from
router.include_router(jobs.router)  # an upload's progress, and the other background jobs
PAGE = 100
Text = Annotated[str | None, Query(max_length=128)]


@router.get("/rejects")
async def rejects_page(
    request: Request,
    node: NodeDep,
    principal: Annotated[Principal, page_allowed(Permission.REJECTS_READ)],
    status: Annotated[str, Query(pattern="^(open|resolved|)$")] = "open",
    reason: Text = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> HTMLResponse:
    result = await blocking(
        browse.list_rejects,
        node,
        principal,
        status=status or None,
        reason=reason or None,
        limit=PAGE,
        offset=(page - 1) * PAGE,
    )
    return render(
        request, "rejects.html", result=result, status=status, reason=reason or "", retried=None
    )


@router.post("/rejects/retry")
async def retry_rejects(
    request: Request,
    node: NodeDep,
    principal: Annotated[Principal, page_allowed(Permission.REJECTS_RETRY)],
) -> HTMLResponse:
    form = await checked_form(request)
    ids = [int(form["reject_id"])] if form.get("reject_id", "").isdigit() else None
    done = await blocking(
        rejects.retry_rejects, node, principal, ids=ids, reason=form.get("reason") or None
    )
    result = await blocking(browse.list_rejects, node, principal, status="open", limit=PAGE)
    return render(request, "rejects.html", result=result, status="open", reason="", retried=done)


RejectId = Annotated[int, Path(ge=1, le=2**31 - 1)]
FIELD_PREFIX = "f:"  # the form's inputs for the record's own fields


@router.get("/rejects/{reject_id}")
async def reject_page(
    request: Request,
    node: NodeDep,
    principal: Annotated[Principal, page_allowed(Permission.REJECTS_READ)],
    reject_id: RejectId,
) -> HTMLResponse:
    record = await blocking(browse.get_reject, node, principal, reject_id)
    return render(request, "reject.html", record=record, error=None, retried=None)


@router.post("/rejects/{reject_id}", response_model=None)
async def correct_reject(
    request: Request,
    node: NodeDep,
    principal: Annotated[Principal, page_allowed(Permission.REJECTS_RETRY)],
    reject_id: RejectId,
) -> HTMLResponse:
    form = await checked_form(request)
    changes = {k[len(FIELD_PREFIX) :]: v for k, v in form.items() if k.startswith(FIELD_PREFIX)}
    error, done = None, None
    try:
        done = await blocking(
            rejects.correct_reject,
            node,
            principal,
            reject_id,
            changes,
            reason=form.get("reason") or None,
        )
    except BorderLinkError as failed:  # shown beside the form
        error = str(failed)
    record = await blocking(browse.get_reject, node, principal, reject_id)
    return render(
        request,
        "reject.html",
        status_code=400 if error else 200,
        record=record,
        error=error,
        retried=done,
    )


@router.get("/audit")
async def audit_page(
    request: Request,
    node: NodeDep,
    principal: Annotated[Principal, page_allowed(Permission.AUDIT_READ)],
    actor: Text = None,
    action: Text = None,
    object_id: Text = None,
    since: Annotated[str | None, Query(max_length=32)] = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> HTMLResponse:
    start = dt.datetime.fromisoformat(since) if since else None
    result = await blocking(
        browse.list_audit,
        node,
        principal,
        actor=actor or None,
        action=action or None,
        object_id=object_id or None,
        since=start,
        limit=PAGE,
        offset=(page - 1) * PAGE,
    )
    query = {
        k: v for k, v in {"actor": actor, "action": action, "object_id": object_id}.items() if v
    }
    more = result.offset + len(result.items) < result.total
    return render(
        request,
        "audit.html",
        result=result,
        actor=actor or "",
        action=action or "",
        object_id=object_id or "",
        since=since or "",
        next_link="/audit?" + urlencode({**query, "page": page + 1}) if more else None,
    )


AREA = Area(
    name="records",
    router=router,
    nav=(
        NavEntry(
            "Upload declarations",
            "/ingest",
            Permission.DECLARATIONS_SUBMIT,
            order=58,
            section=N_("Administration"),
        ),
        NavEntry("Rejects", "/rejects", Permission.REJECTS_READ, order=60, section=N_("Risk")),
        # Who may start a job from the pages (an upload, a retrain) finds them here.
        NavEntry("Jobs", "/jobs", Permission.MODELS_MANAGE, order=62, section=N_("Risk")),
        NavEntry(
            "Audit log", "/audit", Permission.AUDIT_READ, order=90, section=N_("Administration")
        ),
    ),
)
