"""Watchlists and screening hits: the lists, a list's entries (search, ended ones), the hits
work list with confirm/dismiss forms, and one hit beside the entry it matched."""

from __future__ import annotations

from typing import Annotated, Any, cast
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from borderlink.errors import InvalidInput
from borderlink.server.deps import NodeDep, blocking
from borderlink.server.pages.common import (
    checked_form,
    local_target,
    page_allowed,
    query_filter,
    redirect,
    render,
)
from borderlink.server.pages.i18n import N_
from borderlink.server.pages.registry import Area, NavEntry
from borderlink.services.accounts.access import Permission, Principal
from borderlink.services.screening import browse, hits

router = APIRouter(include_in_schema=False)
PAGE = 50

Reader = Annotated[Principal, page_allowed(Permission.NOMINAL_READ)]
Reviewer = Annotated[Principal, page_allowed(Permission.SCREENING_REVIEW)]
ListName = Annotated[str, Path(min_length=1, max_length=64)]
HitId = Annotated[int, Path(ge=1, le=2**31 - 1)]
PageNo = Annotated[int, Query(ge=1, le=100_000)]


def _pager(path: str, query: dict[str, Any], page: int, total: int) -> dict[str, Any]:
    pages = max(1, -(-total // PAGE))

    def link(n: int) -> str:
        return f"{path}?" + urlencode({**query, "page": n})

    return {
        "page": page,
        "pages": pages,
        "prev_link": link(page - 1) if page > 1 else None,
        "next_link": link(page + 1) if page < pages else None,
    }


@router.get("/watchlists")
async def lists_page(request: Request, node: NodeDep, principal: Reader) -> HTMLResponse:
    found = await blocking(browse.watchlist_views, node, principal)
    return render(request, "watchlists.html", lists=found)


@router.get("/watchlists/{list_name}")
async def entries_page(
    request: Request,
    node: NodeDep,
    principal: Reader,
    list_name: ListName,
    q: Annotated[str | None, Query(max_length=200)] = None,
    ended: Annotated[bool, Query()] = False,
    page: PageNo = 1,
) -> HTMLResponse:
    result = await blocking(
        browse.browse_entries,
        node,
        principal,
        list_name,
        q=q,
        ended=ended,
        limit=PAGE,
        offset=(page - 1) * PAGE,
    )
    query: dict[str, Any] = {k: v for k, v in (("q", q), ("ended", ended or None)) if v}
    return render(
        request,
        "watchlist.html",
        list_name=list_name,
        result=result,
        q=q or "",
        ended=ended,
        **_pager(f"/watchlists/{list_name}", query, page, result.total),
    )


@router.get("/screening/hits")
async def hits_page(
    request: Request,
    node: NodeDep,
    principal: Reviewer,
    flt: Annotated[browse.HitFilter, Depends(query_filter(browse.HitFilter))],
    page: PageNo = 1,
) -> HTMLResponse:
    result = await blocking(
        browse.browse_hits, node, principal, flt, limit=PAGE, offset=(page - 1) * PAGE
    )
    lists = await blocking(browse.watchlist_views, node, principal)
    query = flt.model_dump(mode="json", exclude_none=True)
    return render(
        request,
        "hits.html",
        result=result,
        flt=flt,
        lists=[w.name for w in lists],
        statuses=("open", "confirmed", "dismissed"),
        next_here=str(request.url.path) + ("?" + request.url.query if request.url.query else ""),
        **_pager("/screening/hits", query, page, result.total),
    )


@router.get("/screening/hits/{hit_id}")
async def hit_page(
    request: Request,
    node: NodeDep,
    principal: Reviewer,
    hit_id: HitId,
    saved: Annotated[bool, Query()] = False,
) -> HTMLResponse:
    found = await blocking(browse.get_hit, node, principal, hit_id)
    return render(request, "hit.html", h=found, saved=saved)


@router.post("/screening/hits/{hit_id}/decision")
async def decide(
    request: Request, node: NodeDep, principal: Reviewer, hit_id: HitId
) -> RedirectResponse:
    form = await checked_form(request)
    decision = form.get("decision", "")
    if decision not in hits.STATUS_OF:
        raise InvalidInput(f"decision {decision!r}: confirm or dismiss", field="decision")
    await blocking(
        browse.decide,
        node,
        principal,
        hit_id,
        cast(hits.Decision, decision),
        form.get("reason", ""),
    )
    if form.get("next"):
        return redirect(local_target(form["next"], default="/screening/hits"))
    return redirect(f"/screening/hits/{hit_id}?saved=1")


AREA = Area(
    name="screening",
    router=router,
    nav=(
        NavEntry(
            "Screening hits",
            "/screening/hits",
            Permission.SCREENING_REVIEW,
            order=45,
            section=N_("Risk"),
        ),
        NavEntry(
            "Watchlists", "/watchlists", Permission.NOMINAL_READ, order=46, section=N_("Risk")
        ),
    ),
)
