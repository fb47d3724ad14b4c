"""Reading declarations and recording inspection outcomes, with the need-to-know rules applied.

An office-scoped principal sees only its office's declarations (others are "not found", so their
existence does not leak); nominal data (party ids and names) is redacted for principals without
``nominal:read``; every read that shows nominal data, and every write, is audited.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, Field
from sqlalchemy import Connection, Select, and_, bindparam, func, insert, select, update

from borderlink.cooperation.policy import redact
from borderlink.errors import NotFound
from borderlink.model import GatedAction, InspectionMethod, IsoDate, Outcome
from borderlink.services.accounts import audit
from borderlink.services.accounts.access import (
    REDACTED,
    Permission,
    Principal,
    office_scope,
    require,
    sees_nominal,
)
from borderlink.services.capacity.certifications import require_certified
from borderlink.services.declarations.redaction import PARTY_COLUMNS, party_ids
from borderlink.services.declarations.views import (
    HEADER_COLUMNS,
    SUMMARY_COLUMNS,
)
from borderlink.services.declarations.views import (
    DeclarationSummary as DeclarationSummary,
)
from borderlink.services.declarations.views import (
    DeclarationView as DeclarationView,
)
from borderlink.services.declarations.views import (
    HistoryEntry as HistoryEntry,
)
from borderlink.services.declarations.views import (
    ItemView as ItemView,
)
from borderlink.services.declarations.views import (
    OutcomeView as OutcomeView,
)
from borderlink.services.declarations.views import (
    PartyView as PartyView,
)
from borderlink.services.node import Node
from borderlink.services.risk import waiting
from borderlink.store import partitions
from borderlink.store.tables import audit_log, declarations, goods_items, outcomes, parties

T = TypeVar("T")

MAX_PAGE = 500
MAX_EXPORT = 50_000
# Reads are audited but are not what was done to a declaration (its history leaves them out).
READ_ACTIONS = ("declaration.read", "declaration.list", "queue.read", "score.read")


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    limit: int
    offset: int


class DeclarationFilter(BaseModel):
    office_id: str | None = None
    declared_from: IsoDate | None = None
    declared_to: IsoDate | None = None
    hs_prefix: str | None = Field(default=None, pattern=r"^\d{1,10}$")
    origin_country: str | None = Field(default=None, min_length=2, max_length=2)
    importer_id: str | None = None
    inspected: bool | None = None
    illicit: bool | None = None

    def names_party(self) -> bool:
        return self.importer_id is not None


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _scoped(query: Select[Any], principal: Principal) -> Select[Any]:
    office = office_scope(principal)
    if office is not None:
        query = query.where(declarations.c.office_id == office)
    return query


def _filtered(query: Select[Any], flt: DeclarationFilter) -> Select[Any]:
    c = declarations.c
    if flt.office_id:
        query = query.where(c.office_id == flt.office_id)
    if flt.declared_from:
        query = query.where(c.declared_on >= flt.declared_from)
    if flt.declared_to:
        query = query.where(c.declared_on <= flt.declared_to)
    if flt.importer_id:
        query = query.where(c.importer_id == flt.importer_id)
    if flt.hs_prefix or flt.origin_country:
        item = select(goods_items.c.declaration_id).where(
            goods_items.c.declaration_id == c.declaration_id,
            partitions.items_of_day(c.declared_on),
        )
        # The window said of the items too: a semi-join over them reads its months only.
        if flt.declared_from:
            item = item.where(partitions.items_from(flt.declared_from))
        if flt.declared_to:
            item = item.where(partitions.items_until(flt.declared_to))
        if flt.hs_prefix:
            item = item.where(goods_items.c.hs_code_current.startswith(flt.hs_prefix))
        if flt.origin_country:
            item = item.where(goods_items.c.origin_country == flt.origin_country.upper())
        query = query.where(item.exists())
    if flt.inspected is not None:
        query = query.where(
            outcomes.c.declaration_id.is_not(None)
            if flt.inspected
            else outcomes.c.declaration_id.is_(None)
        )
    if flt.illicit is not None:
        query = query.where(outcomes.c.illicit.is_(flt.illicit))
    return query


def list_queries(principal: Principal, flt: DeclarationFilter) -> tuple[Select[Any], Select[Any]]:
    """The list's two queries, scoped and filtered: the matching ids (to count them) and the
    page's rows (header, item count and value, outcome), newest first."""
    # Per row of the page, not grouped over every item first: a page reads its own items only,
    # and on PostgreSQL in its own month's partition (by the id alone, every month's index).
    items = and_(
        goods_items.c.declaration_id == declarations.c.declaration_id,
        partitions.items_of_day(declarations.c.declared_on),
    )
    n_items = select(func.count()).where(items).scalar_subquery()
    value = select(func.sum(goods_items.c.value_reporting)).where(items).scalar_subquery()
    base = select(declarations.c.declaration_id).outerjoin(
        outcomes, outcomes.c.declaration_id == declarations.c.declaration_id
    )
    base = _filtered(_scoped(base, principal), flt)
    page = select(
        declarations,
        n_items.label("n_items"),
        value.label("value_reporting"),
        outcomes.c.illicit,
    ).outerjoin(outcomes, outcomes.c.declaration_id == declarations.c.declaration_id)
    page = _filtered(_scoped(page, principal), flt)
    return base, page.order_by(declarations.c.declared_on.desc(), declarations.c.declaration_id)


def summary_row(r: Any, nominal: bool) -> DeclarationSummary:
    """One row of the list, its importer redacted unless ``nominal``."""
    return DeclarationSummary(
        **{k: getattr(r, k) for k in SUMMARY_COLUMNS if k != "importer_id"},
        importer_id=redact(r._mapping, () if nominal else ["importer_id"], mask=REDACTED).values[
            "importer_id"
        ],
        items=r.n_items,
        value_reporting=r.value_reporting,
        illicit=r.illicit,
    )


# A declaration's header by id, and within an office: built once (SQLAlchemy keeps a
# statement's cache key on it; one built per call cost more to build and key than to run).
_HEADER = select(declarations).where(declarations.c.declaration_id == bindparam("id"))
_HEADER_AT_OFFICE = _HEADER.where(declarations.c.office_id == bindparam("office"))


def _visible_header(conn: Any, principal: Principal, declaration_id: str) -> Any:
    office = office_scope(principal)
    if office is None:
        row = conn.execute(_HEADER, {"id": declaration_id}).first()
    else:
        row = conn.execute(_HEADER_AT_OFFICE, {"id": declaration_id, "office": office}).first()
    if row is None:
        raise NotFound(f"no declaration {declaration_id!r}", field="declaration_id")
    return row


def ensure_visible(node: Node, principal: Principal, declaration_id: str) -> None:
    """Raise NotFound unless the declaration exists within the principal's scope."""
    visible_parties(node, principal, declaration_id)


def visible_parties(node: Node, principal: Principal, declaration_id: str) -> list[str]:
    """:func:`ensure_visible`, giving the declaration's party ids (one read for both)."""
    require(principal, Permission.DECLARATIONS_READ)
    with node.read() as conn:
        return party_ids(_visible_header(conn, principal, declaration_id))


def get_declaration(
    node: Node, principal: Principal, declaration_id: str, *, reason: str | None = None
) -> DeclarationView:
    require(principal, Permission.DECLARATIONS_READ)
    nominal = sees_nominal(principal)
    with node.transaction() as conn:
        head = _visible_header(conn, principal, declaration_id)
        items = conn.execute(
            select(goods_items)
            .where(goods_items.c.declaration_id == declaration_id)
            .order_by(goods_items.c.item_no)
        ).all()
        ids = {role: getattr(head, column) for role, column in PARTY_COLUMNS.items()}
        known = {
            p.party_id: p
            for p in conn.execute(
                select(parties).where(parties.c.party_id.in_([i for i in ids.values() if i]))
            ).all()
        }
        result = conn.execute(
            select(outcomes).where(outcomes.c.declaration_id == declaration_id)
        ).first()
        history = conn.execute(
            select(audit_log.c.at, audit_log.c.actor, audit_log.c.action, audit_log.c.reason)
            .where(
                audit_log.c.object_type == "declaration",
                audit_log.c.object_id == declaration_id,
                audit_log.c.action.not_in(READ_ACTIONS),
            )
            .order_by(audit_log.c.entry_id)
        ).all()
        if nominal:
            audit.record(
                conn,
                actor=principal.username,
                action="declaration.read",
                object_type="declaration",
                object_id=declaration_id,
                reason=reason,
            )
    return _view(head, _party_views(ids, known, nominal), items, result, history, nominal)


def _party_views(
    ids: dict[str, str | None], known: dict[str, Any], nominal: bool
) -> list[PartyView]:
    """The declaration's parties by role, ids and names redacted unless ``nominal``."""
    party_views = []
    for role, party_id in ids.items():
        if party_id is None:
            continue
        found = known.get(party_id)
        party_views.append(
            PartyView(
                role=role,
                party_id=party_id if nominal else REDACTED,
                name=(found.name if found else None) if nominal else None,
                country=found.country if found else None,
                aeo=found.aeo if found else None,
            )
        )
    return party_views


def _view(
    head: Any,
    party_views: list[PartyView],
    items: Sequence[Any],
    result: Any,
    history: Sequence[Any],
    nominal: bool,
) -> DeclarationView:
    return DeclarationView(
        **{k: getattr(head, k) for k in HEADER_COLUMNS},
        parties=party_views,
        items=[
            ItemView(
                **{k: getattr(i, k) for k in ItemView.model_fields if k != "flags"},
                flags=[f for f in (i.flags or "").split(",") if f],
            )
            for i in items
        ],
        outcome=_outcome_view(result) if result else None,
        history=[
            HistoryEntry(at=_aware(h.at), actor=h.actor, action=h.action, reason=h.reason)
            for h in history
        ],
        redacted=not nominal,
    )


def _outcome_view(row: Any) -> OutcomeView:
    return OutcomeView(
        illicit=row.illicit,
        severity=row.severity,
        revenue_recovered=row.revenue_recovered,
        inspected_on=row.inspected_on,
        officer=row.officer,
        note=row.note,
        source=row.source,
        recorded_at=_aware(row.recorded_at),
        method=row.method,
    )


def record_outcome(node: Node, principal: Principal, outcome: Outcome) -> OutcomeView:
    """Record (or correct) an inspection's result; officers only at their own office."""
    require(principal, Permission.OUTCOMES_RECORD)
    with node.transaction() as conn:
        return store_outcome(conn, principal, outcome)


def store_outcome(conn: Connection, principal: Principal, outcome: Outcome) -> OutcomeView:
    """:func:`record_outcome` in the caller's transaction (a structured inspection report
    records its result with it, all or nothing); the caller has checked the permission."""
    values = {
        "illicit": outcome.illicit,
        "severity": outcome.severity,
        "revenue_recovered": outcome.revenue_recovered,
        "inspected_on": outcome.inspected_on or dt.datetime.now(dt.UTC).date(),
        # Who recorded it is who is acting, whatever the body says (it names no one else).
        "officer": principal.username,
        "note": outcome.note,
        "source": "officer",
        "recorded_at": dt.datetime.now(dt.UTC),
        "method": outcome.method,
    }
    key = outcomes.c.declaration_id == outcome.declaration_id
    _visible_header(conn, principal, outcome.declaration_id)
    if outcome.method == InspectionMethod.NII:
        require_certified(conn, principal, GatedAction.NII_RESULT)
    before = conn.execute(select(outcomes).where(key)).first()
    if before is None:
        conn.execute(insert(outcomes).values(declaration_id=outcome.declaration_id, **values))
    else:
        conn.execute(update(outcomes).where(key).values(**values))
    waiting.inspected(conn, [outcome.declaration_id])
    audit.record(
        conn,
        actor=principal.username,
        action="outcome.record" if before is None else "outcome.correct",
        object_type="declaration",
        object_id=outcome.declaration_id,
        reason=outcome.note,
        details={
            "illicit": outcome.illicit,
            "severity": outcome.severity,
            "revenue_recovered": outcome.revenue_recovered,
        },
    )
    row = conn.execute(select(outcomes).where(key)).one()
    return _outcome_view(row)


def latest_day(node: Node, principal: Principal) -> dt.date | None:
    query = _scoped(select(func.max(declarations.c.declared_on)), principal)
    with node.read() as conn:
        value = conn.execute(query).scalar_one_or_none()
    return value if isinstance(value, dt.date) or value is None else dt.date.fromisoformat(value)


def scoped_counts(
    node: Node, principal: Principal, *, since: dt.date, until: dt.date
) -> list[dict[str, Any]]:
    """Per day in [since, until]: declarations, inspected, illicit (for the dashboard)."""
    with node.read() as conn:
        rows = conn.execute(counts_query(principal, since=since, until=until)).all()
    return [r._asdict() for r in rows]


def counts_query(principal: Principal, *, since: dt.date, until: dt.date) -> Select[Any]:
    """The dashboard's daily counts in the principal's scope (on PostgreSQL it reads the
    partitions of [since, until] only)."""
    day = declarations.c.declared_on
    # The outcome of each declaration of the window, looked up by its key (a correlated
    # subquery, one primary-key probe per row): as a join, PostgreSQL hashed the whole
    # outcomes table, which is not partitioned and grows with history, to count one window.
    illicit = (
        select(outcomes.c.illicit)
        .where(outcomes.c.declaration_id == declarations.c.declaration_id)
        .scalar_subquery()
    )
    query = (
        select(
            day.label("day"),
            func.count().label("declarations"),
            func.count(illicit).label("inspected"),
            func.count().filter(illicit.is_(True)).label("illicit"),
        )
        .where(and_(day >= since, day <= until))
        .group_by(day)
        .order_by(day)
    )
    return _scoped(query, principal)
