"""TAXII 2.1 between nodes, plus the log and notice endpoints partners call.

Every route here is for partner nodes, authenticated by a signed request (``Authorization:
BorderLink-Signature <jws>``), never by a user token. A partner sees two collections: what this
node released to it (``to <partner>``: each object with its signed envelope) and what this node
accepted from it (``from <partner>``). Objects pages are ordered by the order of release; ``next``
is the last sequence number served, ``added_after`` filters by release time.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Depends, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import select

from borderlink.errors import InvalidInput, NotFound
from borderlink.exchange.auth import authenticate
from borderlink.exchange.client import API_ROOT, TAXII_MEDIA, inbox_collection, outbox_collection
from borderlink.exchange.identity import Partner
from borderlink.exchange.stix import parse_timestamp, timestamp
from borderlink.services.exchange_log import consistency, signed_tree_head
from borderlink.services.node import Node
from borderlink.services.partners import list_partners, node_identity
from borderlink.services.sync import (
    SyncScheduler,
    accept_notice,
    released_page,
    released_versions,
)
from borderlink.store.cooperation_tables import coop_records

router = APIRouter(tags=["exchange"])
MAX_PAGE = 1000


class TaxiiResponse(JSONResponse):
    media_type = TAXII_MEDIA


def _node(request: Request) -> Node:
    node: Node = request.app.state.node
    return node


async def partner_caller(request: Request) -> Partner:
    """The partner node whose signature this request carries."""
    node = _node(request)
    path = request.scope.get("raw_path") or request.url.path.encode()
    query = request.scope.get("query_string") or b""
    full = path.decode("ascii") + ("?" + query.decode("ascii") if query else "")
    return authenticate(
        request.headers.get("authorization"),
        {p.partner_id: p for p in list_partners(node)},
        method=request.method,
        path=full,
        body=await request.body(),
        now=dt.datetime.now(dt.UTC),
        skew=dt.timedelta(seconds=node.settings.exchange_clock_skew_s),
    )


Caller = Annotated[Partner, Depends(partner_caller)]


def _collections(node: Node, caller: Partner) -> dict[str, dict[str, Any]]:
    me = node.settings.node_id
    out = {
        outbox_collection(me, caller.partner_id): {
            "title": f"{me} to {caller.partner_id}",
            "description": f"Records {me} released to {caller.partner_id} under agreements",
            "can_read": True,
            "can_write": False,
        },
        inbox_collection(me, caller.partner_id): {
            "title": f"{caller.partner_id} to {me}",
            "description": f"Records {me} accepted from {caller.partner_id}, as held",
            "can_read": True,
            "can_write": False,
        },
    }
    return {
        cid: {"id": cid, **info, "media_types": ["application/stix+json;version=2.1"]}
        for cid, info in out.items()
    }


def _collection(node: Node, caller: Partner, collection_id: str) -> dict[str, Any]:
    found = _collections(node, caller).get(collection_id)
    if found is None:
        raise NotFound(f"no collection {collection_id} for {caller.partner_id}")
    return found


@router.get("/taxii2/", response_class=TaxiiResponse)
def discovery(request: Request, caller: Caller) -> TaxiiResponse:
    node = _node(request)
    base = str(request.base_url).rstrip("/")
    return TaxiiResponse(
        {
            "title": f"BorderLink node {node.settings.node_id}",
            "description": node.settings.node_name,
            "default": f"{base}/taxii2/{API_ROOT}/",
            "api_roots": [f"{base}/taxii2/{API_ROOT}/"],
        }
    )


@router.get(f"/taxii2/{API_ROOT}/", response_class=TaxiiResponse)
def api_root(request: Request, caller: Caller) -> TaxiiResponse:
    return TaxiiResponse(
        {
            "title": f"BorderLink exchange of {_node(request).settings.node_id}",
            "versions": [TAXII_MEDIA],
            "max_content_length": 10 * 1024 * 1024,
        }
    )


@router.get(f"/taxii2/{API_ROOT}/collections/", response_class=TaxiiResponse)
def collections(request: Request, caller: Caller) -> TaxiiResponse:
    return TaxiiResponse({"collections": list(_collections(_node(request), caller).values())})


@router.get(f"/taxii2/{API_ROOT}/collections/{{collection_id}}/", response_class=TaxiiResponse)
def collection(request: Request, caller: Caller, collection_id: str) -> TaxiiResponse:
    return TaxiiResponse(_collection(_node(request), caller, collection_id))


def _page(
    node: Node,
    caller: Partner,
    collection_id: str,
    added_after: str | None,
    limit: int,
    next_: str | None,
) -> tuple[list[dict[str, Any]], list[str], list[dt.datetime], bool, int | None]:
    _collection(node, caller, collection_id)
    try:
        after = int(next_) if next_ else 0
        since = parse_timestamp(added_after) if added_after else None
    except ValueError as error:
        raise InvalidInput(f"bad paging parameter: {error}", field="next") from error
    limit = max(1, min(limit, MAX_PAGE))
    me = node.settings.node_id
    if collection_id == outbox_collection(me, caller.partner_id):
        page = released_page(node, caller.partner_id, after=after, added_after=since, limit=limit)
        return (
            [r.stix for r in page.rows],
            [r.envelope for r in page.rows],
            [r.added_at for r in page.rows],
            page.more,
            page.last_seq,
        )
    query = (
        select(coop_records.c.document, coop_records.c.stored_at)
        .where(coop_records.c.received_from == caller.partner_id)
        .order_by(coop_records.c.stored_at, coop_records.c.record_id)
        .offset(after)
        .limit(limit + 1)
    )
    if since is not None:
        query = query.where(coop_records.c.stored_at > since)
    with node.engine.connect() as conn:
        held = conn.execute(query).all()
    shown = held[:limit]
    return (
        [r.document for r in shown],
        [],
        [r.stored_at for r in shown],
        len(held) > limit,
        after + len(shown) if shown else None,
    )


def _added_headers(added: list[dt.datetime]) -> dict[str, str]:
    if not added:
        return {}
    stamps = [timestamp(a if a.tzinfo else a.replace(tzinfo=dt.UTC)) for a in added]
    return {"X-TAXII-Date-Added-First": stamps[0], "X-TAXII-Date-Added-Last": stamps[-1]}


@router.get(
    f"/taxii2/{API_ROOT}/collections/{{collection_id}}/objects/", response_class=TaxiiResponse
)
def objects(
    request: Request,
    caller: Caller,
    collection_id: str,
    added_after: str | None = None,
    limit: Annotated[int, Query(ge=1)] = 100,
    next: str | None = None,
) -> TaxiiResponse:
    objs, envelopes, added, more, last = _page(
        _node(request), caller, collection_id, added_after, limit, next
    )
    body: dict[str, Any] = {"more": more, "objects": objs}
    if last is not None:
        body["next"] = str(last)
    if envelopes:
        body["x_borderlink_envelopes"] = envelopes
    return TaxiiResponse(body, headers=_added_headers(added))


@router.get(
    f"/taxii2/{API_ROOT}/collections/{{collection_id}}/manifest/", response_class=TaxiiResponse
)
def manifest(
    request: Request,
    caller: Caller,
    collection_id: str,
    added_after: str | None = None,
    limit: Annotated[int, Query(ge=1)] = 100,
    next: str | None = None,
) -> TaxiiResponse:
    objs, _, added, more, last = _page(
        _node(request), caller, collection_id, added_after, limit, next
    )
    entries = [
        {
            "id": o["id"],
            "date_added": timestamp(a if a.tzinfo else a.replace(tzinfo=dt.UTC)),
            "version": o["modified"],
            "media_type": "application/stix+json;version=2.1",
        }
        for o, a in zip(objs, added, strict=True)
    ]
    body: dict[str, Any] = {"more": more, "objects": entries}
    if last is not None:
        body["next"] = str(last)
    return TaxiiResponse(body, headers=_added_headers(added))


# --- the node's log and notices ---------------------------------------------------------------


@router.get("/api/v1/exchange/tree-head")
def tree_head(request: Request, caller: Caller) -> dict[str, Any]:
    node = _node(request)
    head, token = signed_tree_head(node, node_identity(node))
    return {"token": token, "tree_size": head.tree_size, "root_hash": head.root_hash}


@router.get("/api/v1/exchange/consistency")
def consistency_proof(
    request: Request,
    caller: Caller,
    first: Annotated[int, Query(ge=0)],
    second: Annotated[int, Query(ge=0)],
) -> dict[str, Any]:
    if first > second:
        raise InvalidInput("first must not exceed second", field="first")
    return {"first": first, "second": second, "proof": consistency(_node(request), first, second)}


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
def notify(
    request: Request, caller: Caller, body: NoticeBody, background: BackgroundTasks
) -> dict[str, Any]:
    """A partner says it has new data for this node: verify the notice, then pull at once."""
    latest = accept_notice(_node(request), caller, body.token)
    background.add_task(scheduler(request).run, caller.partner_id)
    return {"accepted": True, "partner": caller.partner_id, "latest": latest}


def _versions(request: Request, caller: Partner, collection_id: str, object_id: str) -> list[Any]:
    node = _node(request)
    _collection(node, caller, collection_id)
    if collection_id != outbox_collection(node.settings.node_id, caller.partner_id):
        raise NotFound("single objects are served from the outgoing collection only")
    rows = released_versions(node, caller.partner_id, object_id)
    if not rows:
        raise NotFound(f"no object {object_id} in this collection", field="object_id")
    return rows


@router.get(
    f"/taxii2/{API_ROOT}/collections/{{collection_id}}/objects/{{object_id}}/",
    response_class=TaxiiResponse,
)
def get_object(
    request: Request, caller: Caller, collection_id: str, object_id: str
) -> TaxiiResponse:
    """Every version of one object released to the caller (with their signed envelopes)."""
    rows = _versions(request, caller, collection_id, object_id)
    return TaxiiResponse(
        {
            "more": False,
            "objects": [r.stix for r in rows],
            "x_borderlink_envelopes": [r.envelope for r in rows],
        },
        headers=_added_headers([r.added_at for r in rows]),
    )


@router.get(
    f"/taxii2/{API_ROOT}/collections/{{collection_id}}/objects/{{object_id}}/versions/",
    response_class=TaxiiResponse,
)
def object_versions(
    request: Request, caller: Caller, collection_id: str, object_id: str
) -> TaxiiResponse:
    rows = _versions(request, caller, collection_id, object_id)
    return TaxiiResponse(
        {"more": False, "versions": [r.stix["modified"] for r in rows]},
        headers=_added_headers([r.added_at for r in rows]),
    )
