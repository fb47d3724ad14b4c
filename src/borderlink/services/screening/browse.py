"""Reading watchlists and hits for people: a page of a list's entries (searchable, ended ones
on request), the hits work list (filtered, paged) and one hit with the entry it matched.

A hit says who a party is (its id, its name, the explanation quoting both): readers without
``nominal:read`` (a token scoped without it) get those withheld, and every page that shows them
to a nominal reader is audited (``screening.hits.read``), as declaration reads are.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, Field
from sqlalchemy import Select, String, case, cast, func, or_, select

from borderlink.errors import InvalidInput, NotFound
from borderlink.services.accounts import audit
from borderlink.services.accounts.access import (
    REDACTED,
    Permission,
    Principal,
    require,
    sees_nominal,
)
from borderlink.services.declarations.read import MAX_PAGE, Page
from borderlink.services.node import Node
from borderlink.services.screening.hits import Decision, decide_hit
from borderlink.services.screening.watchlists import list_watchlists
from borderlink.store.screening_tables import screening_hits, watchlist_entries, watchlists

HitStatus = Literal["open", "confirmed", "dismissed"]


class HitFilter(BaseModel):
    status: HitStatus | None = None
    list_name: str | None = Field(default=None, max_length=64)
    party_id: str | None = Field(default=None, max_length=64)
    min_score: float | None = Field(default=None, ge=0, le=1)


class WatchlistView(BaseModel):
    name: str
    format: str
    source: str | None = Field(description="The file last loaded")
    entries: int = Field(description="Entries in force")
    ended: int = Field(description="Entries removed at the source (kept, ended)")
    loads: int
    loaded_by: str
    loaded_at: dt.datetime


class EntryView(BaseModel):
    list_name: str
    entry_id: str
    schema_: str | None = Field(alias="schema", serialization_alias="schema")
    names: list[str] = Field(description="The primary name first, then the aliases")
    identifiers: list[str] = Field(description="kind:value (imo:9187629, eori:..., tin:...)")
    countries: list[str]
    programmes: list[str]
    reason: str | None
    valid_from: dt.date | None
    valid_until: dt.date | None
    first_loaded_at: dt.datetime
    updated_at: dt.datetime
    ended_at: dt.datetime | None = Field(description="Removed at the source (never deleted)")

    model_config = {"populate_by_name": True}


class HitView(BaseModel):
    hit_id: int
    party_id: str
    party_name: str | None
    list_name: str
    entry_id: str
    matched_name: str | None = Field(description="The entry's name or alias that matched")
    score: float
    method: str
    explanation: str
    status: HitStatus
    decided_by: str | None
    decided_at: dt.datetime | None
    decision_reason: str | None
    first_seen_at: dt.datetime
    last_seen_at: dt.datetime


class HitDetail(HitView):
    entry: EntryView | None = Field(description="The entry as stored now")
    entry_changed: bool = Field(description="The entry changed since the decision (reopened)")
    steps: list[str] = Field(description="Normalisations applied to either name")
    compared: list[str] = Field(description="The two names as compared, after normalisation")


def _check_page(limit: int, offset: int) -> None:
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidInput(f"limit is 1 to {MAX_PAGE}", field="limit")
    if offset < 0:
        raise InvalidInput("offset is 0 or more", field="offset")


def watchlist_views(node: Node, principal: Principal) -> list[WatchlistView]:
    """The lists in the node (:func:`.watchlists.list_watchlists`) as the shells show them."""
    return [WatchlistView(**row) for row in list_watchlists(node, principal)]


def browse_entries(
    node: Node,
    principal: Principal,
    list_name: str,
    *,
    q: str | None = None,
    ended: bool = False,
    limit: int = 50,
    offset: int = 0,
) -> Page[EntryView]:
    """A page of a list's entries in force (with ``ended``, also those removed at the source),
    by entry id; ``q`` matches an entry id, or a name or identifier containing it."""
    require(principal, Permission.NOMINAL_READ)
    _check_page(limit, offset)
    query = select(watchlist_entries).where(watchlist_entries.c.list_name == list_name)
    if not ended:
        query = query.where(watchlist_entries.c.ended_at.is_(None))
    if q and q.strip():
        needle = q.strip().lower()
        query = query.where(
            or_(
                watchlist_entries.c.entry_id == q.strip(),
                func.lower(cast(watchlist_entries.c.names, String)).contains(needle),
                func.lower(cast(watchlist_entries.c.identifiers, String)).contains(needle),
            )
        )
    with node.read() as conn:
        if conn.execute(select(watchlists.c.name).where(watchlists.c.name == list_name)).first():
            total = conn.execute(select(func.count()).select_from(query.subquery())).scalar_one()
            rows = conn.execute(
                query.order_by(watchlist_entries.c.entry_id).limit(limit).offset(offset)
            ).all()
        else:
            raise NotFound(f"no watchlist {list_name!r}", field="list_name")
    items = [EntryView.model_validate(r._asdict()) for r in rows]
    return Page[EntryView](items=items, total=total, limit=limit, offset=offset)


def _hits_query(flt: HitFilter) -> Select[Any]:
    query = select(screening_hits)
    if flt.status:
        query = query.where(screening_hits.c.status == flt.status)
    if flt.list_name:
        query = query.where(screening_hits.c.list_name == flt.list_name)
    if flt.party_id:
        query = query.where(screening_hits.c.party_id == flt.party_id)
    if flt.min_score is not None:
        query = query.where(screening_hits.c.score >= flt.min_score)
    return query


def _hit_view(row: Any, nominal: bool) -> dict[str, Any]:
    values = dict(row if isinstance(row, dict) else row._asdict())
    details = values.pop("details", None) or {}
    values["party_name"] = details.get("party_name")
    values["matched_name"] = details.get("matched_name")
    if not nominal:
        values["party_id"] = REDACTED
        values["party_name"] = REDACTED if values["party_name"] else None
        values["explanation"] = REDACTED  # it quotes the party's name
    return values


def _audit_read(node: Node, principal: Principal, shown: list[int], what: str) -> None:
    with node.transaction() as conn:
        audit.record(
            conn,
            actor=principal.username,
            action="screening.hits.read",
            object_type="screening_hit",
            object_id=str(shown[0]) if len(shown) == 1 else None,
            reason=f"{what} with nominal data",
            details={"shown": shown},
        )


def browse_hits(
    node: Node,
    principal: Principal,
    flt: HitFilter | None = None,
    *,
    limit: int = 50,
    offset: int = 0,
) -> Page[HitView]:
    """The hits work list: open ones first, then best score first."""
    require(principal, Permission.SCREENING_REVIEW)
    flt = flt or HitFilter()
    _check_page(limit, offset)
    nominal = sees_nominal(principal)
    if flt.party_id and not nominal:
        raise InvalidInput("filtering by party needs nominal:read", field="party_id")
    query = _hits_query(flt)
    first = case((screening_hits.c.status == "open", 0), else_=1)  # what waits comes first
    with node.read() as conn:
        total = conn.execute(select(func.count()).select_from(query.subquery())).scalar_one()
        rows = conn.execute(
            query.order_by(first, screening_hits.c.score.desc(), screening_hits.c.hit_id)
            .limit(limit)
            .offset(offset)
        ).all()
    items = [HitView(**_hit_view(r, nominal)) for r in rows]
    if nominal and items:
        _audit_read(node, principal, [h.hit_id for h in items], "shown in a list")
    return Page[HitView](items=items, total=total, limit=limit, offset=offset)


def decide(
    node: Node, principal: Principal, hit_id: int, decision: Decision, reason: str
) -> HitView:
    """Confirm or dismiss a hit (:func:`.hits.decide_hit`) and show it as the work list does."""
    decided = decide_hit(node, principal, hit_id, decision, reason)
    return HitView(**_hit_view(decided, sees_nominal(principal)))


def get_hit(node: Node, principal: Principal, hit_id: int) -> HitDetail:
    """One hit, how it matched, and the entry it matched as stored now."""
    require(principal, Permission.SCREENING_REVIEW)
    nominal = sees_nominal(principal)
    with node.read() as conn:
        row = conn.execute(select(screening_hits).where(screening_hits.c.hit_id == hit_id)).first()
        if row is None:
            raise NotFound(f"no screening hit {hit_id}", field="hit_id")
        entry = conn.execute(
            select(watchlist_entries).where(
                watchlist_entries.c.list_name == row.list_name,
                watchlist_entries.c.entry_id == row.entry_id,
            )
        ).first()
    details = row.details or {}
    found = HitDetail(
        **_hit_view(row, nominal),
        entry=EntryView.model_validate(entry._asdict()) if entry is not None else None,
        entry_changed=row.decided_digest is not None
        and entry is not None
        and entry.digest != row.decided_digest,
        steps=list(details.get("steps") or []),
        compared=list(details.get("normalised") or []) if nominal else [],
    )
    if nominal:
        _audit_read(node, principal, [hit_id], "shown")
    return found
