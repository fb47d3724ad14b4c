"""``/api/v1/watchlists`` and ``/api/v1/screening``: the lists and their entries, and the hits
work list where an analyst confirms or dismisses what screening raised.

Hits name parties: a token without ``nominal:read`` gets the party and the explanation withheld.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel, Field

from borderlink.server.deps import NodeDep, allowed, blocking
from borderlink.services.accounts.access import Permission, Principal
from borderlink.services.declarations.read import MAX_PAGE, Page
from borderlink.services.screening import browse, hits, watchlists

router = APIRouter(prefix="/api/v1", tags=["screening"])

Reader = Annotated[Principal, Depends(allowed(Permission.NOMINAL_READ))]
Reviewer = Annotated[Principal, Depends(allowed(Permission.SCREENING_REVIEW))]
Limit = Annotated[int, Query(ge=1, le=MAX_PAGE)]
Offset = Annotated[int, Query(ge=0, le=10_000_000)]
ListName = Annotated[str, Path(min_length=1, max_length=64)]
EntryId = Annotated[str, Path(min_length=1, max_length=128)]
HitId = Annotated[int, Path(ge=1, le=2**31 - 1)]


class DecisionRequest(BaseModel):
    decision: hits.Decision
    reason: str = Field(min_length=1, max_length=2000, description="Kept in the audit log")


@router.get("/watchlists")
async def list_watchlists(node: NodeDep, principal: Reader) -> list[browse.WatchlistView]:
    """The watchlists in the node: entries in force and ended, last load."""
    return await blocking(browse.watchlist_views, node, principal)


@router.get("/watchlists/{list_name}/entries")
async def list_entries(
    list_name: ListName,
    node: NodeDep,
    principal: Reader,
    q: Annotated[str | None, Query(max_length=200, description="Entry id, name or id")] = None,
    ended: Annotated[bool, Query(description="Include entries ended at the source")] = False,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[browse.EntryView]:
    """A page of a list's entries, by entry id."""
    return await blocking(
        browse.browse_entries,
        node,
        principal,
        list_name,
        q=q,
        ended=ended,
        limit=limit,
        offset=offset,
    )


@router.get("/watchlists/{list_name}/entries/{entry_id}")
async def get_entry(
    list_name: ListName, entry_id: EntryId, node: NodeDep, principal: Reader
) -> browse.EntryView:
    """One entry: names and aliases, identifiers, programmes, validity, whether it is ended."""
    found = await blocking(watchlists.show_entry, node, principal, list_name, entry_id)
    return await blocking(browse.EntryView.model_validate, found)


@router.get("/screening/hits")
async def list_hits(
    node: NodeDep,
    principal: Reviewer,
    flt: Annotated[browse.HitFilter, Query()],
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[browse.HitView]:
    """The hits, open ones first, best score first."""
    return await blocking(browse.browse_hits, node, principal, flt, limit=limit, offset=offset)


@router.get("/screening/hits/{hit_id}")
async def get_hit(hit_id: HitId, node: NodeDep, principal: Reviewer) -> browse.HitDetail:
    """One hit: how it matched, and the entry as stored now."""
    return await blocking(browse.get_hit, node, principal, hit_id)


@router.post("/screening/hits/{hit_id}/decision")
async def decide_hit(
    hit_id: HitId, body: DecisionRequest, node: NodeDep, principal: Reviewer
) -> browse.HitView:
    """Confirm or dismiss a hit; the decision holds until the list entry changes (audited)."""
    return await blocking(browse.decide, node, principal, hit_id, body.decision, body.reason)
