"""TAXII 2.1 between nodes, plus the log and notice endpoints partners call.

Every route here is for partner nodes, authenticated by a signed request (RFC 9421, see
``server.partner_auth``), never by a user token; the TAXII reads also take a partner's read-only
credentials (HTTP Basic) for its standard tools. TAXII routes answer errors as TAXII error
messages and check ``Accept`` (406); ``GET /taxii2/schemas/<name>.json`` serves the JSON Schemas
of BorderLink's STIX extensions to anyone. The work is in ``services.taxii``,
``services.exchange_log`` and ``services.sync``; this module parses and renders.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Depends, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.routing import APIRoute
from pydantic import BaseModel

from borderlink.errors import BorderLinkError, InvalidInput, outcome_of
from borderlink.server.deps import blocking
from borderlink.server.errors import taxii_error_body
from borderlink.server.partner_auth import Caller, Reader
from borderlink.services.cooperation import Partner
from borderlink.services.cooperation.partners import node_identity
from borderlink.services.exchange import taxii
from borderlink.services.exchange.log import consistency, head_document
from borderlink.services.exchange.pushed import apply_push, parse_push
from borderlink.services.exchange.sync import SyncScheduler, accept_notice
from borderlink.services.exchange.taxii import stix_schema
from borderlink.services.node import Node

router = APIRouter(tags=["exchange"])
ROOT = f"/taxii2/{taxii.API_ROOT}"
# What a TAXII client may Accept: the TAXII media type (2.1, or no version), or a wildcard.
_ACCEPTABLE = ("application/taxii+json", "application/*", "*/*")


class TaxiiResponse(JSONResponse):
    media_type = taxii.TAXII_MEDIA


def _acceptable(accept: str | None) -> bool:
    if not accept:
        return True  # a client that says nothing takes what it gets
    for item in accept.split(","):
        kind, *params = (p.strip().lower() for p in item.split(";"))
        version = next((p.partition("=")[2] for p in params if p.startswith("version=")), "2.1")
        if kind in _ACCEPTABLE and version == "2.1":
            return True
    return False


def taxii_error(status: int, code: str, detail: str) -> TaxiiResponse:
    """A TAXII 2.1 error message (title, description, http_status, error_code)."""
    body = taxii_error_body(status, code, detail)
    headers = {"WWW-Authenticate": 'Basic realm="taxii"'} if status == 401 else None
    return TaxiiResponse(body, status_code=status, headers=headers)


class TaxiiRoute(APIRoute):
    """A TAXII route: Accept checked (406), every error answered as a TAXII error message."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def route(request: Request) -> Response:
            if not _acceptable(request.headers.get("accept")):
                accept = request.headers.get("accept")
                return taxii_error(406, "not_acceptable", f"cannot answer as {accept!r}")
            try:
                return await handler(request)
            except BorderLinkError as error:
                return taxii_error(outcome_of(error).http_status, error.code, error.detail)
            except RequestValidationError as error:
                problems = "; ".join(
                    f"{'.'.join(str(p) for p in e.get('loc', ())[1:])}: {e.get('msg')}"
                    for e in error.errors()
                )
                return taxii_error(400, InvalidInput.code, problems or "invalid request")

        return route


taxii_router = APIRouter(tags=["exchange"], route_class=TaxiiRoute)


def _node(request: Request) -> Node:
    node: Node = request.app.state.node
    return node


def _base_url(request: Request) -> str:
    return str(request.base_url).rstrip("/")


Limit = Annotated[int, Query(ge=1)]


async def filters(
    added_after: str | None = None,
    limit: Limit = 100,
    next: str | None = None,  # the TAXII parameter's name
    match_type: Annotated[str | None, Query(alias="match[type]")] = None,
    match_id: Annotated[str | None, Query(alias="match[id]")] = None,
    match_version: Annotated[str | None, Query(alias="match[version]")] = None,
    match_spec_version: Annotated[str | None, Query(alias="match[spec_version]")] = None,
    view: Annotated[
        str | None,
        Query(
            alias="x_borderlink_view",
            description="`records`: node-to-node (signed envelopes and the page's signature); "
            "`envelopes`: the same without the objects (each envelope carries its own)",
        ),
    ] = None,
) -> taxii.Query:
    return await blocking(
        taxii.parse_query,
        added_after=added_after,
        limit=limit,
        next=next,
        match_type=match_type,
        match_id=match_id,
        match_version=match_version,
        match_spec_version=match_spec_version,
        records=view == "records",
        bare=view == "envelopes",
    )


Asked = Annotated[taxii.Query, Depends(filters)]


@taxii_router.get("/taxii2/", response_class=TaxiiResponse)
async def discovery(request: Request, caller: Reader) -> TaxiiResponse:
    node = _node(request)
    root = f"{_base_url(request)}{ROOT}/"
    return TaxiiResponse(
        {
            "title": f"BorderLink node {node.settings.node_id}",
            "description": node.settings.node_name,
            "default": root,
            "api_roots": [root],
        }
    )


@taxii_router.get(f"{ROOT}/", response_class=TaxiiResponse)
async def api_root(request: Request, caller: Reader) -> TaxiiResponse:
    return TaxiiResponse(
        {
            "title": f"BorderLink exchange of {_node(request).settings.node_id}",
            "versions": [taxii.TAXII_MEDIA],
            "max_content_length": 10 * 1024 * 1024,
        }
    )


@taxii_router.get(f"{ROOT}/collections/", response_class=TaxiiResponse)
async def collections(request: Request, caller: Reader) -> TaxiiResponse:
    found = await blocking(taxii.collections, _node(request), caller)
    return TaxiiResponse({"collections": list(found.values())})


@taxii_router.get(f"{ROOT}/collections/{{collection_id}}/", response_class=TaxiiResponse)
async def collection(request: Request, caller: Reader, collection_id: str) -> TaxiiResponse:
    return TaxiiResponse(await blocking(taxii.collection, _node(request), caller, collection_id))


def _envelope(page: taxii.TaxiiPage, items: list[Any]) -> TaxiiResponse:
    body: dict[str, Any] = {"more": page.more}
    if not page.bare:  # the envelopes view: each envelope carries its object
        body["objects"] = items
    if page.next is not None:
        body["next"] = page.next
    if page.envelopes:  # the signed form of each record, in the same order
        body["x_borderlink_envelopes"] = page.envelopes
    if page.signature is not None:  # the records views: the page's, over those envelopes
        body["x_borderlink_page"] = page.signature
    return TaxiiResponse(body, headers=page.headers())


async def _page(
    request: Request, caller: Partner, collection_id: str, asked: taxii.Query
) -> taxii.TaxiiPage:
    return await blocking(
        taxii.objects_page,
        _node(request),
        caller,
        collection_id,
        asked,
        base_url=_base_url(request),
    )


@taxii_router.get(f"{ROOT}/collections/{{collection_id}}/objects/", response_class=TaxiiResponse)
async def objects(
    request: Request, caller: Reader, collection_id: str, asked: Asked
) -> TaxiiResponse:
    page = await _page(request, caller, collection_id, asked)
    return _envelope(page, page.objects)


@taxii_router.get(f"{ROOT}/collections/{{collection_id}}/manifest/", response_class=TaxiiResponse)
async def manifest(
    request: Request, caller: Reader, collection_id: str, asked: Asked
) -> TaxiiResponse:
    page = await _page(request, caller, collection_id, asked)
    body: dict[str, Any] = {"more": page.more, "objects": page.manifest()}
    if page.next is not None:
        body["next"] = page.next
    return TaxiiResponse(body, headers=page.headers())


@taxii_router.get(
    f"{ROOT}/collections/{{collection_id}}/objects/{{object_id}}/", response_class=TaxiiResponse
)
async def get_object(
    request: Request, caller: Reader, collection_id: str, object_id: str, asked: Asked
) -> TaxiiResponse:
    """The versions of one record released to the caller (latest by default), signed."""
    page = await blocking(
        taxii.object_versions, _node(request), caller, collection_id, object_id, asked
    )
    return _envelope(page, page.objects)


@taxii_router.get(
    f"{ROOT}/collections/{{collection_id}}/objects/{{object_id}}/versions/",
    response_class=TaxiiResponse,
)
async def object_versions(
    request: Request, caller: Reader, collection_id: str, object_id: str
) -> TaxiiResponse:
    page = await blocking(taxii.object_versions, _node(request), caller, collection_id, object_id)
    return TaxiiResponse(
        {"more": False, "versions": [o["modified"] for o in page.objects]},
        headers=page.headers(),
    )


@router.get("/taxii2/schemas/{name}.json")
async def json_schema(name: str) -> JSONResponse:
    """The JSON Schema of a BorderLink STIX extension (what its extension-definition names)."""
    found = await blocking(stix_schema, name)  # a file read
    return JSONResponse(found, media_type="application/schema+json")


router.include_router(taxii_router)


# --- the node's log and notices ---------------------------------------------------------------


def _signed_head(node: Node) -> dict[str, Any]:
    return head_document(node, node_identity(node))


@router.get("/api/v1/exchange/tree-head")
async def tree_head(request: Request, caller: Caller) -> dict[str, Any]:
    node = _node(request)
    return await blocking(_signed_head, node)


@router.get("/api/v1/exchange/consistency")
async def consistency_proof(
    request: Request,
    caller: Caller,
    first: Annotated[int, Query(ge=0)],
    second: Annotated[int, Query(ge=0)],
) -> dict[str, Any]:
    if first > second:
        raise InvalidInput("first must not exceed second", field="first")
    proof = await blocking(consistency, _node(request), first, second)
    return {"first": first, "second": second, "proof": proof}


class NoticeBody(BaseModel):
    token: str
    # What the notice carries (the new copies, the signed head, its proof): services.exchange.push
    push: dict[str, Any] | None = None


def scheduler(request: Request) -> SyncScheduler:
    state = request.app.state
    if getattr(state, "sync_scheduler", None) is None:
        state.sync_scheduler = SyncScheduler(
            _node(request), getattr(state, "exchange_transport", None)
        )
    found: SyncScheduler = state.sync_scheduler
    return found


@router.post("/api/v1/exchange/notify", status_code=202)
async def notify(
    request: Request, caller: Caller, body: NoticeBody, background: BackgroundTasks
) -> dict[str, Any]:
    """A partner says it has new data for this node: verify the notice, then take what it
    carries (pulling what that leaves out) at once."""
    node = _node(request)
    latest = await blocking(accept_notice, node, caller, body.token)
    carried = await blocking(parse_push, body.push) if body.push is not None else None
    pushed = partial(apply_push, node, caller.partner_id, carried) if carried is not None else None
    background.add_task(scheduler(request).run, caller.partner_id, pushed)
    return {"accepted": True, "partner": caller.partner_id, "latest": latest}
