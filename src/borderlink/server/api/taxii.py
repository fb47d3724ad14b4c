"""TAXII 2.1 between nodes, plus the log and notice endpoints partners call.

Every route here is for partner nodes, authenticated by a signed request (RFC 9421, see
``server.partner_auth``), never by a user token. The work is in ``services.taxii``,
``services.exchange_log`` and ``services.sync``; this module parses and renders.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from borderlink.errors import InvalidInput
from borderlink.server.deps import blocking
from borderlink.server.partner_auth import Caller
from borderlink.services.cooperation.partners import node_identity
from borderlink.services.exchange import taxii
from borderlink.services.exchange.log import consistency, head_document
from borderlink.services.exchange.sync import SyncScheduler, accept_notice
from borderlink.services.node import Node

router = APIRouter(tags=["exchange"])
ROOT = f"/taxii2/{taxii.API_ROOT}"


class TaxiiResponse(JSONResponse):
    media_type = taxii.TAXII_MEDIA


def _node(request: Request) -> Node:
    node: Node = request.app.state.node
    return node


Limit = Annotated[int, Query(ge=1)]


@router.get("/taxii2/", response_class=TaxiiResponse)
async def discovery(request: Request, caller: Caller) -> TaxiiResponse:
    node = _node(request)
    root = f"{str(request.base_url).rstrip('/')}{ROOT}/"
    return TaxiiResponse(
        {
            "title": f"BorderLink node {node.settings.node_id}",
            "description": node.settings.node_name,
            "default": root,
            "api_roots": [root],
        }
    )


@router.get(f"{ROOT}/", response_class=TaxiiResponse)
async def api_root(request: Request, caller: Caller) -> TaxiiResponse:
    return TaxiiResponse(
        {
            "title": f"BorderLink exchange of {_node(request).settings.node_id}",
            "versions": [taxii.TAXII_MEDIA],
            "max_content_length": 10 * 1024 * 1024,
        }
    )


@router.get(f"{ROOT}/collections/", response_class=TaxiiResponse)
async def collections(request: Request, caller: Caller) -> TaxiiResponse:
    found = await blocking(taxii.collections, _node(request), caller)
    return TaxiiResponse({"collections": list(found.values())})


@router.get(f"{ROOT}/collections/{{collection_id}}/", response_class=TaxiiResponse)
async def collection(request: Request, caller: Caller, collection_id: str) -> TaxiiResponse:
    return TaxiiResponse(await blocking(taxii.collection, _node(request), caller, collection_id))


def _envelope(
    page: taxii.TaxiiPage, items: list[Any], envelopes: list[str] | None = None
) -> TaxiiResponse:
    body: dict[str, Any] = {"more": page.more, "objects": items}
    if page.next is not None:
        body["next"] = str(page.next)
    if envelopes:  # the signed form of each object, in the same order
        body["x_borderlink_envelopes"] = envelopes
    return TaxiiResponse(body, headers=page.headers())


@router.get(f"{ROOT}/collections/{{collection_id}}/objects/", response_class=TaxiiResponse)
async def objects(
    request: Request,
    caller: Caller,
    collection_id: str,
    added_after: str | None = None,
    limit: Limit = 100,
    next: str | None = None,  # the TAXII parameter's name
) -> TaxiiResponse:
    page = await blocking(
        taxii.objects_page,
        _node(request),
        caller,
        collection_id,
        added_after=added_after,
        limit=limit,
        next_=next,
    )
    return _envelope(page, page.objects, page.envelopes)


@router.get(f"{ROOT}/collections/{{collection_id}}/manifest/", response_class=TaxiiResponse)
async def manifest(
    request: Request,
    caller: Caller,
    collection_id: str,
    added_after: str | None = None,
    limit: Limit = 100,
    next: str | None = None,  # the TAXII parameter's name
) -> TaxiiResponse:
    page = await blocking(
        taxii.objects_page,
        _node(request),
        caller,
        collection_id,
        added_after=added_after,
        limit=limit,
        next_=next,
    )
    return _envelope(page, page.manifest())


@router.get(
    f"{ROOT}/collections/{{collection_id}}/objects/{{object_id}}/", response_class=TaxiiResponse
)
async def get_object(
    request: Request, caller: Caller, collection_id: str, object_id: str
) -> TaxiiResponse:
    """Every version of one object released to the caller (with their signed envelopes)."""
    page = await blocking(taxii.object_versions, _node(request), caller, collection_id, object_id)
    return TaxiiResponse(
        {"more": False, "objects": page.objects, "x_borderlink_envelopes": page.envelopes},
        headers=page.headers(),
    )


@router.get(
    f"{ROOT}/collections/{{collection_id}}/objects/{{object_id}}/versions/",
    response_class=TaxiiResponse,
)
async def object_versions(
    request: Request, caller: Caller, collection_id: str, object_id: str
) -> TaxiiResponse:
    page = await blocking(taxii.object_versions, _node(request), caller, collection_id, object_id)
    return TaxiiResponse(
        {"more": False, "versions": [o["modified"] for o in page.objects]},
        headers=page.headers(),
    )


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
    """A partner says it has new data for this node: verify the notice, then pull at once."""
    latest = await blocking(accept_notice, _node(request), caller, body.token)
    background.add_task(scheduler(request).run, caller.partner_id)
    return {"accepted": True, "partner": caller.partner_id, "latest": latest}
