"""What officers work from: the targeting queue (red and yellow, not yet inspected) and each
declaration's latest score with its reasons. Also the dashboard's channel figures.

Reads the risk engine's ``scores`` table; the need-to-know rules of :mod:`.declarations` apply:
reasons pass the declaration view's redaction (they name parties), and what shows party data to
a reader with ``nominal:read`` is audited (``queue.read``, ``score.read``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import Connection, Select, and_, func, select, true

from borderlink.cooperation.policy import redact
from borderlink.errors import InvalidInput
from borderlink.risk import explain
from borderlink.services.accounts import audit
from borderlink.services.accounts.access import (
    REDACTED,
    Permission,
    Principal,
    office_scope,
    require,
    sees_nominal,
)
from borderlink.services.declarations.read import MAX_PAGE, Page
from borderlink.services.declarations.redaction import (
    PARTY_COLUMNS,
    party_ids,
    redact_reasons,
    reveals_party,
)
from borderlink.services.node import Node
from borderlink.store.risk_tables import scores, waiting
from borderlink.store.tables import declarations, outcomes


class ScoreView(BaseModel):
    declaration_id: str
    model_version: str
    score: float
    risk: float
    channel: str
    selection: str = Field(description="profile, risk, random or none")
    reasons: list[dict[str, Any]]
    scored_at: dt.datetime


class QueueEntry(BaseModel):
    declaration_id: str
    declared_on: dt.date
    office_id: str | None
    importer_id: str | None
    channel: str
    risk: float
    selection: str
    reasons: list[dict[str, Any]]


def latest_scores() -> Any:
    """Each declaration's newest score (a declaration may be scored by several model versions).

    Written as "no newer score of the same declaration" rather than a join on a grouped
    ``max(scored_at)``: the grouping read every score ever written before the first row came
    out (the whole table on each queue or dashboard page), where the anti-join probes the
    primary key's ``declaration_id`` prefix for only the rows the outer query keeps. Ties keep
    every row at the newest time, as the join on the maximum did."""
    newer = scores.alias("newer")
    return (
        select(scores)
        .where(
            ~select(newer.c.declaration_id)
            .where(
                newer.c.declaration_id == scores.c.declaration_id,
                newer.c.scored_at > scores.c.scored_at,
            )
            .exists()
        )
        .subquery()
    )


def _signed(reasons: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Reasons stored before they carried their effect and label get them from their sign and
    family, so every page reads one shape; each model reason's label comes as a message too
    (``label_message``, for a page to translate), whenever it was stored."""
    out = []
    for r in reasons:
        value = r.get("contribution")
        if isinstance(value, int | float):
            family = str(r.get("reason", ""))
            if "effect" not in r:
                effect = explain.RAISES if value > 0 else explain.LOWERS
                r = {**r, "effect": effect, "label": explain.label(family)}
            r = {
                **r,
                "label_message": {**explain.label_message(family), "text": r.get("label", "")},
            }
        out.append(r)
    return out


def _scoped(query: Select[Any], principal: Principal) -> Select[Any]:
    office = office_scope(principal)
    return query if office is None else query.where(declarations.c.office_id == office)


def latest_score(node: Node, principal: Principal, declaration_id: str) -> ScoreView | None:
    """The newest score of a declaration the principal may see (None if never scored)."""
    require(principal, Permission.DECLARATIONS_READ)
    latest = latest_scores()
    query = _scoped(
        select(latest, *(declarations.c[c] for c in PARTY_COLUMNS.values()))
        .join(declarations, declarations.c.declaration_id == latest.c.declaration_id)
        .where(latest.c.declaration_id == declaration_id),
        principal,
    )
    nominal = sees_nominal(principal)
    with node.transaction() as conn:
        row = conn.execute(query).first()
        if row is None:
            return None
        ids = party_ids(row)
        stored = list(row.reasons or [])
        if nominal and reveals_party(stored, ids):
            audit.record(
                conn,
                actor=principal.username,
                action="score.read",
                object_type="declaration",
                object_id=declaration_id,
                reason="score reasons shown with nominal data",
            )
    return ScoreView(
        declaration_id=row.declaration_id,
        model_version=row.model_version,
        score=row.score,
        risk=row.risk,
        channel=row.channel,
        selection=row.selection,
        reasons=_signed(redact_reasons(stored, ids, nominal=nominal)),
        scored_at=row.scored_at if row.scored_at.tzinfo else row.scored_at.replace(tzinfo=dt.UTC),
    )


def _audit_queue(
    conn: Connection, principal: Principal, day: dt.date | None, shown: list[str]
) -> None:
    audit.record(
        conn,
        actor=principal.username,
        action="queue.read",
        object_type="declaration",
        reason="shown in the targeting queue with nominal data",
        details={"day": day.isoformat() if day else "all waiting", "shown": shown},
    )


def queue_query(
    principal: Principal, day: dt.date | None, dialect: str = "postgresql"
) -> Select[Any]:
    """The queue's rows, riskiest first, in the principal's scope (of ``day``, if given: on
    PostgreSQL only that day's month partition is read), for a database of ``dialect``."""
    if day is None:
        return _waiting_query(principal, dialect)
    latest = latest_scores()
    # One day's few: each one's outcome looked up by its key. (As an outer join PostgreSQL
    # hashed the whole outcomes table, which grows with history, for them.)
    inspected = (
        select(func.count())
        .where(outcomes.c.declaration_id == declarations.c.declaration_id)
        .scalar_subquery()
    )
    base = (
        select(declarations, latest.c.channel, latest.c.risk, latest.c.selection, latest.c.reasons)
        .join(latest, latest.c.declaration_id == declarations.c.declaration_id)
        .where(declarations.c.declared_on == day, inspected == 0)
    )
    base = _scoped(
        base.where(
            latest.c.channel.in_(["red", "yellow"]),
            declarations.c.status.is_(None),  # a cancelled declaration is kept, not queued
        ),
        principal,
    )
    return base.order_by(latest.c.channel, latest.c.risk.desc())


def _waiting_query(principal: Principal, dialect: str) -> Select[Any]:
    """Every one waiting, whatever its day: read from ``waiting`` (kept in step with scores,
    outcomes and cancellations by :mod:`.waiting`) in its index's order, rather than every
    declaration ever scored anti-joined to every outcome. Each declaration is joined by its key
    and day, on PostgreSQL as a ``LATERAL ... LIMIT 1`` probe of its one month's partition (as a
    plain join the planner misjudged the two-column join and hashed every partition), its
    score's reasons likewise by the score's key."""
    found = and_(
        declarations.c.declaration_id == waiting.c.declaration_id,
        declarations.c.declared_on == waiting.c.declared_on,
    )
    score = and_(
        scores.c.declaration_id == waiting.c.declaration_id,
        scores.c.model_version == waiting.c.model_version,
    )
    if dialect == "postgresql":
        header: Any = select(declarations).where(found).limit(1).lateral("declaration")
        why: Any = select(scores.c.selection, scores.c.reasons).where(score).limit(1)
        why = why.lateral("score")
        joined = waiting.join(header, true()).join(why, true())
    else:
        header, why = declarations, scores
        joined = waiting.join(declarations, found).join(scores, score)
    query = select(
        header, waiting.c.channel, waiting.c.risk, why.c.selection, why.c.reasons
    ).select_from(joined)
    office = office_scope(principal)
    if office is not None:
        query = query.where(waiting.c.office_id == office, header.c.office_id == office)
    return query.order_by(waiting.c.channel, waiting.c.risk.desc())


def waiting_scope(principal: Principal) -> Any:
    """``waiting`` in the principal's scope: as many rows as :func:`_waiting_query` gives (each
    has its declaration and score: the writes keep it so), counted without their look-ups."""
    office = office_scope(principal)
    rows = select(waiting.c.declaration_id)
    return (rows if office is None else rows.where(waiting.c.office_id == office)).subquery()


def queue(
    node: Node,
    principal: Principal,
    *,
    day: dt.date | None = None,
    limit: int = 100,
    offset: int = 0,
) -> Page[QueueEntry]:
    """Red then yellow declarations not yet inspected, riskiest first: those of ``day``, or
    (by default) every one still waiting, whatever its day."""
    require(principal, Permission.DECLARATIONS_READ)
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidInput(f"limit is 1 to {MAX_PAGE}", field="limit")
    base = queue_query(principal, day, node.engine.dialect.name)
    nominal = sees_nominal(principal)
    with node.transaction() as conn:
        counted = base.subquery() if day is not None else waiting_scope(principal)
        total = conn.execute(select(func.count()).select_from(counted)).scalar_one()
        rows = conn.execute(base.limit(limit).offset(offset)).all()
        if nominal and rows:  # importer ids on every row
            _audit_queue(conn, principal, day, [r.declaration_id for r in rows])
    return Page[QueueEntry](
        items=[
            QueueEntry(
                declaration_id=r.declaration_id,
                declared_on=r.declared_on,
                office_id=r.office_id,
                importer_id=redact(
                    r._mapping, () if nominal else ["importer_id"], mask=REDACTED
                ).values["importer_id"],
                channel=r.channel,
                risk=r.risk,
                selection=r.selection,
                reasons=_signed(redact_reasons(r.reasons or [], party_ids(r), nominal=nominal)),
            )
            for r in rows
        ],
        total=total,
        limit=limit,
        offset=offset,
    )


def channel_counts_query(day: dt.date, office: str | None) -> Select[Any]:
    """(channel, count) of a day's declarations by their newest score's channel (None: none)."""
    # Each of the day's declarations finds its newest score by its key (one probe each): as a
    # join PostgreSQL hashed the whole scores table, which grows with history, for one day.
    # (Two scores of one declaration at the very same time count once, the newer model's.)
    newest = (
        select(scores.c.channel)
        .where(scores.c.declaration_id == declarations.c.declaration_id)
        .order_by(scores.c.scored_at.desc(), scores.c.model_version.desc())
        .limit(1)
        .scalar_subquery()
        .label("channel")
    )
    day_rows = select(newest).where(declarations.c.declared_on == day)
    if office is not None:
        day_rows = day_rows.where(declarations.c.office_id == office)
    of_day = day_rows.subquery()
    return select(of_day.c.channel, func.count()).group_by(of_day.c.channel)


def channel_counts(node: Node, day: dt.date, office: str | None) -> dict[str, int]:
    """A day's declarations by channel of their newest score; the rest are ``unscored``."""
    with node.read() as conn:
        rows = conn.execute(channel_counts_query(day, office)).all()
    found = {channel or "unscored": int(n) for channel, n in rows}
    order = ["red", "yellow", "green", "unscored"]
    return {c: found[c] for c in order if c in found} | {
        c: n for c, n in found.items() if c not in order
    }
