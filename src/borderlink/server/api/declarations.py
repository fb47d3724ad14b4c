"""``/api/v1/declarations``: list (filters, pagination), read one, record its inspection outcome."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi import Path as PathParam
from fastapi.routing import APIRoute
from pydantic import BaseModel, Field, TypeAdapter
from starlette.routing import Match
from starlette.types import Scope

from borderlink.errors import InvalidInput
from borderlink.model import DECLARATION, DeclarationIn, InspectionMethod, IsoDate, Outcome
from borderlink.server.deps import NodeDep, allowed, blocking
from borderlink.server.errors import ErrorBody
from borderlink.server.openapi import raises
from borderlink.server.uploads import spool_body
from borderlink.services.accounts.access import Permission, Principal
from borderlink.services.declarations import browse
from borderlink.services.declarations import dashboard as dashboards
from borderlink.services.declarations import read as service
from borderlink.services.ingest import details, submission, versions
from borderlink.services.ingest.amend import AmendmentIn

router = APIRouter(prefix="/api/v1", tags=["declarations"])

Reader = Annotated[Principal, Depends(allowed(Permission.DECLARATIONS_READ))]
Inspector = Annotated[Principal, Depends(allowed(Permission.OUTCOMES_RECORD))]
Submitter = Annotated[Principal, Depends(allowed(Permission.DECLARATIONS_SUBMIT))]
Viewer = Annotated[Principal, Depends(allowed(Permission.DASHBOARD_READ))]
DeclarationId = Annotated[str, PathParam(min_length=1, max_length=64)]


class OutcomeIn(BaseModel):
    illicit: bool
    severity: int = Field(default=0, ge=0, le=9)
    revenue_recovered: float | None = Field(default=None, ge=0, allow_inf_nan=False)
    inspected_on: IsoDate | None = None
    note: str | None = Field(default=None, max_length=2000)
    method: InspectionMethod | None = Field(
        default=None, description="documentary, physical or nii (may need a certification)"
    )


@router.get("/declarations")
async def list_declarations(
    node: NodeDep,
    principal: Reader,
    flt: Annotated[browse.DeclarationSearch, Query()],
    limit: Annotated[int, Query(ge=1, le=service.MAX_PAGE)] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> service.Page[browse.ListedDeclaration]:
    """Declarations newest first, with the channel and risk of their newest score; search by
    id (or its start), trader, HS code, channel and date range."""
    return await blocking(
        browse.list_declarations, node, principal, flt, limit=limit, offset=offset
    )


@router.get(
    "/declarations/export",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}, "description": "The filtered list as CSV"}},
)
async def export_declarations(
    node: NodeDep,
    principal: Reader,
    flt: Annotated[browse.DeclarationSearch, Query()],
    limit: Annotated[int, Query(ge=1, le=service.MAX_EXPORT)] = 10_000,
) -> Response:
    """The filtered list as CSV with channel and risk (audited as an export), newest first."""
    page = await blocking(browse.list_declarations, node, principal, flt, limit=limit, export=True)
    out = io.StringIO()
    columns = list(browse.ListedDeclaration.model_fields)
    writer = csv.DictWriter(out, fieldnames=columns)
    writer.writeheader()
    for row in page.items:
        writer.writerow(row.model_dump(mode="json"))
    return Response(
        out.getvalue(),
        media_type="text/csv",
        headers={"Content-Disposition": 'attachment; filename="declarations.csv"'},
    )


def _submission_body() -> dict[str, Any]:
    """The documented body: what the streaming reader takes, described by the schema's models
    (hoisted into the components by :mod:`borderlink.server.openapi`)."""
    schema = TypeAdapter(list[DeclarationIn]).json_schema(
        ref_template="#/components/schemas/{model}"
    )
    schema |= {
        "minItems": 1,
        "description": "Declarations in the wco-json layout (as `ingest --format json`). "
        "A declaration that does not fit the layout is rejected on its own, with its "
        "record, field and reason in the summary; the others go on. The body is streamed "
        "to the node's disk as it arrives, up to `BORDERLINK_MAX_SUBMISSION_BYTES`.",
        "examples": [[DECLARATION.example()]],
    }
    return {"required": True, "content": {"application/json": {"schema": schema}}}


@router.post(
    "/declarations",
    status_code=200,
    openapi_extra={"requestBody": _submission_body()},
    responses={
        **raises(InvalidInput),
        413: {"model": ErrorBody, "description": "`too_large`: over the submission ceiling"},
    },
)
async def submit_declarations(
    request: Request, node: NodeDep, principal: Submitter
) -> submission.Submitted:
    """Validate and store declarations (the summary adds up to the goods items sent); with a
    risk model, score each accepted one on arrival (up to 100 per call)."""
    # Not a parsed body parameter: a large submission would be held whole, several times over.
    path = await spool_body(request, Path(node.settings.data_dir) / "incoming")
    try:
        return await blocking(submission.submit_file, node, principal, path)
    finally:
        await blocking(path.unlink, missing_ok=True)


@router.get("/declarations/{declaration_id}")
async def get_declaration(
    declaration_id: DeclarationId,
    node: NodeDep,
    principal: Reader,
    reason: Annotated[str | None, Query(max_length=500, description="Why (audited)")] = None,
) -> service.DeclarationView:
    return await blocking(service.get_declaration, node, principal, declaration_id, reason=reason)


@router.put("/declarations/{declaration_id}/outcome")
async def record_outcome(
    declaration_id: DeclarationId, body: OutcomeIn, node: NodeDep, principal: Inspector
) -> service.OutcomeView:
    outcome = Outcome(
        declaration_id=declaration_id, officer=principal.username, **body.model_dump()
    )
    return await blocking(service.record_outcome, node, principal, outcome)


@router.get("/dashboard", tags=["dashboard"])
async def dashboard(
    node: NodeDep, principal: Viewer, day: Annotated[IsoDate | None, Query()] = None
) -> dashboards.Dashboard:
    return await blocking(dashboards.dashboard, node, principal, day)


# --- amendments, cancellations and the history of changes -----------------------------------


@router.post("/declarations/{declaration_id}/amendments")
async def amend_declaration(
    declaration_id: DeclarationId, body: AmendmentIn, node: NodeDep, principal: Submitter
) -> versions.Amended:
    """Change fields of a stored declaration (or cancel it, `"cancel": true`): validated as on
    ingest, the previous version kept, the declaration scored again. Sending the same change
    twice changes nothing (`version` is null)."""
    return await blocking(versions.amend_declaration, node, principal, declaration_id, body)


@router.get("/declarations/{declaration_id}/history")
async def declaration_history(
    declaration_id: DeclarationId, node: NodeDep, principal: Reader
) -> list[versions.Version]:
    """Every amendment and cancellation, oldest first: what changed, field by field, who, when."""
    return await blocking(versions.history, node, principal, declaration_id)


@router.get("/declarations/{declaration_id}/as-sent")
async def declaration_as_sent(
    declaration_id: DeclarationId, node: NodeDep, principal: Reader
) -> dict[str, Any] | None:
    """What the declaration's message said beyond the flat layout (WCO DM: parties with their
    addresses, goods location, containers, documents, national commodity digits, procedures);
    null when its source gave nothing more. Parties keep only role and country for a reader who
    does not see nominal data."""
    return await blocking(details.as_sent, node, principal, declaration_id)


# --- WCO DM XML on the same path: its own route, tried first, taken only for an XML body ------

XML_TYPES = ("application/xml", "text/xml")


class XmlBodyRoute(APIRoute):
    """``POST /api/v1/declarations`` with an XML body: the JSON route keeps every other one."""

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        match, child = super().matches(scope)
        if match is Match.NONE:
            return match, child
        headers = dict(scope.get("headers") or [])
        media = headers.get(b"content-type", b"").decode("latin-1").split(";")[0].strip().lower()
        if media not in XML_TYPES:
            return Match.NONE, {}
        return match, child


async def submit_declarations_xml(
    request: Request, node: NodeDep, principal: Submitter
) -> submission.Submitted:
    """WCO Data Model 3.x DEC-DMS XML (one message, or many under any root element), read as
    `ingest --format wco-dm-xml` reads a file: each message accepted or rejected with its reason."""
    body = await request.body()
    return await blocking(submission.submit_xml, node, principal, body)


router.add_api_route(
    "/declarations",
    submit_declarations_xml,
    methods=["POST"],
    route_class_override=XmlBodyRoute,
    include_in_schema=False,  # the JSON route's OpenAPI entry documents the path
)
# The XML route first: routes are tried in order, and the JSON one would answer any body.
router.routes.sort(key=lambda route: not isinstance(route, XmlBodyRoute))
