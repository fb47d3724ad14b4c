"""Read-only listings for people: declarations with their channel and risk, rejected records
and the audit log (filterable, paginated)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, Field
from sqlalchemy import Select, func, or_, select

from borderlink.errors import InvalidInput, NotFound, PermissionDenied
from borderlink.services.accounts import audit
from borderlink.services.accounts.access import (
    REDACTED,
    Permission,
    Principal,
    require,
    sees_nominal,
)
from borderlink.services.declarations.read import (
    MAX_EXPORT,
    MAX_PAGE,
    DeclarationFilter,
    DeclarationSummary,
    Page,
    list_queries,
    summary_row,
)
from borderlink.services.node import Node
from borderlink.services.risk.targeting import latest_scores
from borderlink.store.tables import audit_chain, audit_log, declarations, rejects

Channel = Literal["red", "yellow", "green", "unscored"]


class DeclarationSearch(DeclarationFilter):
    """The list's filters, plus what officers search by: the declaration's id (or its start),
    a trader (importer, declarant or seller id) and the channel of its newest score."""

    declaration_id: str | None = Field(default=None, max_length=64)
    trader: str | None = Field(default=None, max_length=64)
    channel: Channel | None = None

    def names_party(self) -> bool:
        return super().names_party() or self.trader is not None


class ListedDeclaration(DeclarationSummary):
    """A declaration in the list, with the channel and risk of its newest score."""

    channel: str | None = Field(description="red, yellow or green; null when not scored")
    risk: float | None = Field(description="The newest score's combined risk (0 to 1)")
    selection: str | None = Field(description="What selected it: profile, risk, random, none")


class RejectView(BaseModel):
    reject_id: int
    batch_id: str
    source: str
    format: str
    record_no: int
    declaration_id: str | None
    item_no: int | None
    field: str
    reason: str
    issues: list[dict[str, Any]]
    raw: dict[str, Any]
    status: str
    created_at: dt.datetime


class AuditEntry(BaseModel):
    entry_id: int
    at: dt.datetime
    actor: str
    action: str
    object_type: str | None
    object_id: str | None
    reason: str | None
    details: dict[str, Any] | None
    leaf_index: int | None = Field(
        default=None,
        description="Its leaf in the node's verifiable log; null until the entry is sealed.",
    )


def audit_entry(row: Any) -> AuditEntry:
    """An audit row (with ``leaf_index`` from ``audit_chain``, if joined) as shown to people."""
    return AuditEntry(
        entry_id=row.entry_id,
        at=_aware(row.at),
        actor=row.actor,
        action=row.action,
        object_type=row.object_type,
        object_id=row.object_id,
        reason=row.reason,
        details=row.details,
        leaf_index=getattr(row, "leaf_index", None),
    )


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _check_page(limit: int, offset: int) -> None:
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidInput(f"limit is 1 to {MAX_PAGE}", field="limit")
    if offset < 0:
        raise InvalidInput("offset is 0 or more", field="offset")


def _count(conn: Any, query: Select[Any]) -> int:
    return int(conn.execute(select(func.count()).select_from(query.subquery())).scalar_one())


def _searched(query: Select[Any], latest: Any, flt: DeclarationSearch) -> Select[Any]:
    c = declarations.c
    query = query.outerjoin(latest, latest.c.declaration_id == c.declaration_id)
    if flt.declaration_id:
        query = query.where(c.declaration_id.startswith(flt.declaration_id, autoescape=True))
    if flt.trader:
        trader = flt.trader
        query = query.where(
            or_(c.importer_id == trader, c.declarant_id == trader, c.exporter_id == trader)
        )
    if flt.channel == "unscored":
        query = query.where(latest.c.channel.is_(None))
    elif flt.channel:
        query = query.where(latest.c.channel == flt.channel)
    return query


def list_declarations(
    node: Node,
    principal: Principal,
    flt: DeclarationSearch | None = None,
    *,
    limit: int = 50,
    offset: int = 0,
    export: bool = False,
) -> Page[ListedDeclaration]:
    """A page of declarations with channel and risk, newest first (an inspected red stays in
    it: the channel is the score's, whatever was found). ``export=True``: up to
    ``MAX_EXPORT`` rows, and the export is always audited."""
    require(principal, Permission.DECLARATIONS_READ)
    flt = flt or DeclarationSearch()
    nominal = sees_nominal(principal)
    if flt.names_party() and not nominal:
        field = "trader" if flt.trader is not None else "importer_id"
        raise PermissionDenied("searching by trader needs nominal:read", field=field)
    if export:
        _check_export(limit, offset)
    else:
        _check_page(limit, offset)
    latest = latest_scores()
    base, page = list_queries(principal, flt)
    base = _searched(base, latest, flt)
    scored = page.add_columns(latest.c.channel, latest.c.risk, latest.c.selection)
    page = _searched(scored, latest, flt)
    with node.transaction() as conn:
        total = _count(conn, base)
        rows = conn.execute(page.limit(limit).offset(offset)).all()
        if export or (nominal and rows):
            _audit_list(conn, principal, flt, [r.declaration_id for r in rows], export, nominal)
    items = [
        ListedDeclaration(
            **summary_row(r, nominal).model_dump(),
            channel=r.channel,
            risk=r.risk,
            selection=r.selection,
        )
        for r in rows
    ]
    return Page[ListedDeclaration](items=items, total=total, limit=limit, offset=offset)


def _check_export(limit: int, offset: int) -> None:
    if not 1 <= limit <= MAX_EXPORT:
        raise InvalidInput(f"limit is 1 to {MAX_EXPORT}", field="limit")
    if offset < 0:
        raise InvalidInput("offset is 0 or more", field="offset")


def _audit_list(
    conn: Any,
    principal: Principal,
    flt: DeclarationSearch,
    shown: list[str],
    export: bool,
    nominal: bool,
) -> None:
    audit.record(
        conn,
        actor=principal.username,
        action="declaration.export" if export else "declaration.list",
        object_type="declaration",
        reason=("exported" if export else "shown in a list")
        + (" with nominal data" if nominal else " without nominal data"),
        details={"filter": flt.model_dump(mode="json", exclude_none=True), "shown": shown},
    )


def _reject_view(row: Any, nominal: bool) -> RejectView:
    return RejectView(
        reject_id=row.reject_id,
        batch_id=row.batch_id,
        source=row.source,
        format=row.format,
        record_no=row.record_no,
        declaration_id=row.declaration_id,
        item_no=row.item_no,
        field=row.field,
        reason=row.reason,
        issues=list(row.issues),
        # A raw record may name traders: shown whole only to those who may read nominal data.
        raw=dict(row.raw) if nominal else {k: REDACTED for k in row.raw},
        status=row.status,
        created_at=_aware(row.created_at),
    )


def list_rejects(
    node: Node,
    principal: Principal,
    *,
    status: str | None = "open",
    reason: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> Page[RejectView]:
    require(principal, Permission.REJECTS_READ)
    _check_page(limit, offset)
    query = select(rejects)
    if status:
        query = query.where(rejects.c.status == status)
    if reason:
        query = query.where(rejects.c.reason == reason)
    nominal = sees_nominal(principal)
    with node.transaction() as conn:
        total = _count(conn, query)
        rows = conn.execute(query.order_by(rejects.c.reject_id).limit(limit).offset(offset)).all()
        if nominal and rows:
            audit.record(
                conn,
                actor=principal.username,
                action="reject.list",
                object_type="reject",
                reason="raw records shown",
                details={"shown": [r.reject_id for r in rows]},
            )
    return Page[RejectView](
        items=[_reject_view(r, nominal) for r in rows], total=total, limit=limit, offset=offset
    )


def get_reject(node: Node, principal: Principal, reject_id: int) -> RejectView:
    require(principal, Permission.REJECTS_READ)
    nominal = sees_nominal(principal)
    with node.transaction() as conn:
        row = conn.execute(select(rejects).where(rejects.c.reject_id == reject_id)).first()
        if row is None:
            raise NotFound(f"no rejected record {reject_id}", field="reject_id")
        if nominal:
            audit.record(
                conn,
                actor=principal.username,
                action="reject.read",
                object_type="reject",
                object_id=str(reject_id),
            )
    return _reject_view(row, nominal)


def list_audit(
    node: Node,
    principal: Principal,
    *,
    actor: str | None = None,
    action: str | None = None,
    object_type: str | None = None,
    object_id: str | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    limit: int = 100,
    offset: int = 0,
) -> Page[AuditEntry]:
    """Newest first. ``action`` ending in ``.`` matches a prefix (``auth.`` finds every login)."""
    require(principal, Permission.AUDIT_READ)
    _check_page(limit, offset)
    c = audit_log.c
    query = select(audit_log)
    if actor:
        query = query.where(c.actor == actor)
    if action:
        query = query.where(
            c.action.startswith(action, autoescape=True)
            if action.endswith(".")
            else (c.action == action)
        )
    if object_type:
        query = query.where(c.object_type == object_type)
    if object_id:
        query = query.where(c.object_id == object_id)
    if since:
        query = query.where(c.at >= since)
    if until:
        query = query.where(c.at <= until)
    # Counted without the chain: the join is only for the page's rows (chained or not).
    page = (
        query.add_columns(audit_chain.c.leaf_index)
        .select_from(audit_log.outerjoin(audit_chain))
        .order_by(c.entry_id.desc())
        .limit(limit)
        .offset(offset)
    )
    with node.read() as conn:
        total = _count(conn, query)
        rows = conn.execute(page).all()
    return Page[AuditEntry](
        items=[audit_entry(r) for r in rows],
        total=total,
        limit=limit,
        offset=offset,
    )
