"""Post-clearance audit: the blue channel's declarations, audited after release.

A case groups one trader's blue declarations (as importer or declarant) over a period: opening
it again for the same trader and period gives the same case, and a declaration belongs to one
case at most (a later case over an overlapping period takes only those not yet audited). A case
is assigned to an auditor (a user who may audit), and closed with its result, findings and the
revenue recovered. Closing records an outcome for each of its declarations (source
``post-clearance``: illicit for those the audit found irregular, compliant for the others), so
the audit feeds learning as an inspection does. Every step is audited; closing again with the
same result changes nothing, with another is a conflict.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, Literal

from pydantic import BaseModel, Field
from sqlalchemy import Connection, and_, insert, or_, select, update

from borderlink.errors import Conflict, InvalidInput, NotFound
from borderlink.services.accounts.access import POLICY as ACCESS
from borderlink.services.accounts.access import Permission, Principal, Role, require
from borderlink.services.accounts.audit import record as audit
from borderlink.services.node import Node
from borderlink.services.risk import waiting
from borderlink.store.accounts_tables import users
from borderlink.store.risk_tables import scores
from borderlink.store.tables import declarations, outcomes
from borderlink.store.trade_tables import pca_case_declarations, pca_cases

SOURCE = "post-clearance"
MAX_PERIOD_DAYS = 3 * 366


class CaseClose(BaseModel):
    result: Literal["compliant", "irregular"]
    findings: str = Field(min_length=1, max_length=20_000)
    revenue_recovered: float = Field(default=0.0, ge=0)
    currency: str = Field(default="USD", min_length=3, max_length=3)
    irregular: list[str] = Field(
        default_factory=list, description="The case's declarations found irregular"
    )


class AuditCase(BaseModel):
    case_id: str
    trader_id: str
    period_from: dt.date
    period_until: dt.date
    status: str
    auditor: str | None
    opened_by: str
    result: str | None = None
    findings: str | None = None
    revenue_recovered: float | None = None
    currency: str | None = None
    closed_by: str | None = None
    declarations: list[str] = []


def case_id(trader: str, since: dt.date, until: dt.date) -> str:
    return f"PCA:{trader}:{since.isoformat()}:{until.isoformat()}"


def _blue_of(conn: Connection, trader: str, since: dt.date, until: dt.date) -> list[str]:
    """The trader's blue declarations of the period not in a case yet."""
    d = declarations.c
    first_channel = (
        select(scores.c.channel)
        .where(scores.c.declaration_id == d.declaration_id)
        .order_by(scores.c.scored_at)
        .limit(1)
        .scalar_subquery()
    )
    taken = select(pca_case_declarations.c.declaration_id)
    query = (
        select(d.declaration_id)
        .where(
            or_(d.importer_id == trader, d.declarant_id == trader),
            d.declared_on >= since,
            d.declared_on <= until,
            first_channel == "blue",
            d.declaration_id.not_in(taken),
        )
        .order_by(d.declaration_id)
    )
    return list(conn.execute(query).scalars())


def _case(conn: Connection, wanted: str) -> AuditCase:
    row = conn.execute(select(pca_cases).where(pca_cases.c.case_id == wanted)).first()
    if row is None:
        raise NotFound(f"no post-clearance audit case {wanted!r}", field="case_id")
    held = conn.execute(
        select(pca_case_declarations.c.declaration_id)
        .where(pca_case_declarations.c.case_id == wanted)
        .order_by(pca_case_declarations.c.declaration_id)
    ).scalars()
    values = {k: v for k, v in row._asdict().items() if k in AuditCase.model_fields}
    return AuditCase(**values, declarations=list(held))


def open_case(
    node: Node, principal: Principal, trader_id: str, since: dt.date, until: dt.date
) -> AuditCase:
    """Open (or find) the case of ``trader_id``'s blue declarations in [since, until]."""
    require(principal, Permission.POST_CLEARANCE)
    trader = trader_id.strip().upper()  # as ingest stores identifiers
    if not trader:
        raise InvalidInput("a case needs the trader's EORI/TIN", field="trader_id")
    if until < since or (until - since).days > MAX_PERIOD_DAYS:
        raise InvalidInput(
            f"period {since} to {until}: until on or after since, at most three years",
            field="period_until",
        )
    wanted = case_id(trader, since, until)
    with node.transaction() as conn:
        if conn.execute(select(pca_cases.c.case_id).where(pca_cases.c.case_id == wanted)).first():
            return _case(conn, wanted)
        found = _blue_of(conn, trader, since, until)
        if not found:
            raise InvalidInput(
                f"trader {trader} has no blue declaration from {since} to {until} not yet "
                "in a case",
                field="trader_id",
            )
        now = dt.datetime.now(dt.UTC)
        conn.execute(
            insert(pca_cases).values(
                case_id=wanted,
                trader_id=trader,
                period_from=since,
                period_until=until,
                status="open",
                opened_by=principal.username,
                opened_at=now,
            )
        )
        conn.execute(
            insert(pca_case_declarations),
            [{"declaration_id": d, "case_id": wanted} for d in found],
        )
        _audit(conn, principal, "pca.open", wanted, {"declarations": len(found)})
        return _case(conn, wanted)


def _audit(
    conn: Connection, principal: Principal, action: str, wanted: str, details: dict[str, Any]
) -> None:
    audit(
        conn,
        actor=principal.username,
        action=action,
        object_type="pca_case",
        object_id=wanted,
        details=details,
    )


def _may_audit(conn: Connection, username: str) -> None:
    row = conn.execute(
        select(users.c.role, users.c.active).where(users.c.username == username)
    ).first()
    if row is None or not row.active or Permission.POST_CLEARANCE not in ACCESS[Role(row.role)]:
        raise InvalidInput(
            f"{username!r} is not an active user who may audit after clearance", field="auditor"
        )


def assign_case(node: Node, principal: Principal, wanted: str, auditor: str) -> AuditCase:
    """Assign an open case to an auditor (again: to another one)."""
    require(principal, Permission.POST_CLEARANCE)
    with node.transaction() as conn:
        case = _case(conn, wanted)
        if case.auditor == auditor:
            return case  # assigned to them already (closed or not): nothing changes
        if case.status == "closed":
            raise Conflict(f"case {wanted} is closed", field="case_id")
        _may_audit(conn, auditor)
        conn.execute(
            update(pca_cases)
            .where(pca_cases.c.case_id == wanted)
            .values(status="assigned", auditor=auditor)
        )
        _audit(conn, principal, "pca.assign", wanted, {"auditor": auditor})
        return _case(conn, wanted)


def _outcomes(
    conn: Connection, case: AuditCase, body: CaseClose, actor: str, now: dt.datetime
) -> None:
    """One outcome per declaration of the case; an officer's own inspection result stands."""
    irregular = set(body.irregular)
    officer = outcomes.c.source == "officer"
    inspected = set(
        conn.execute(
            select(outcomes.c.declaration_id).where(
                and_(outcomes.c.declaration_id.in_(case.declarations), officer)
            )
        ).scalars()
    )
    conn.execute(
        outcomes.delete().where(
            outcomes.c.declaration_id.in_(case.declarations), outcomes.c.source == SOURCE
        )
    )
    rows = [
        {
            "declaration_id": d,
            "illicit": d in irregular,
            "severity": 1 if d in irregular else 0,
            "inspected_on": now.date(),
            "officer": actor,
            "note": f"post-clearance audit {case.case_id}",
            "source": SOURCE,
            "recorded_at": now,
        }
        for d in case.declarations
        if d not in inspected
    ]
    if rows:
        conn.execute(insert(outcomes), rows)
    waiting.inspected(conn, case.declarations)


def close_case(node: Node, principal: Principal, wanted: str, body: CaseClose) -> AuditCase:
    """Close a case with its result; its declarations' outcomes feed learning."""
    require(principal, Permission.POST_CLEARANCE)
    with node.transaction() as conn:
        case = _case(conn, wanted)
        stray = sorted(set(body.irregular) - set(case.declarations))
        if stray:
            raise InvalidInput(f"case {wanted} has no declaration {stray[0]}", field="irregular")
        if body.result == "irregular" and not body.irregular:
            raise InvalidInput("an irregular result names its declarations", field="irregular")
        if case.status == "closed":
            same = (case.result, case.findings) == (body.result, body.findings)
            if same:
                return case
            raise Conflict(f"case {wanted} is closed with another result", field="case_id")
        now = dt.datetime.now(dt.UTC)
        conn.execute(
            update(pca_cases)
            .where(pca_cases.c.case_id == wanted)
            .values(
                status="closed",
                result=body.result,
                findings=body.findings,
                revenue_recovered=body.revenue_recovered,
                currency=body.currency.upper(),
                closed_by=principal.username,
                closed_at=now,
            )
        )
        _outcomes(conn, case, body, principal.username, now)
        details = {"result": body.result, "revenue_recovered": body.revenue_recovered}
        _audit(conn, principal, "pca.close", wanted, details)
        return _case(conn, wanted)


def list_cases(
    node: Node, principal: Principal, status: str | None = None, limit: int = 200
) -> list[AuditCase]:
    require(principal, Permission.POST_CLEARANCE)
    query = select(pca_cases.c.case_id).order_by(pca_cases.c.opened_at.desc()).limit(limit)
    if status is not None:
        query = query.where(pca_cases.c.status == status)
    with node.read() as conn:
        return [_case(conn, c) for c in conn.execute(query).scalars()]


def get_case(node: Node, principal: Principal, wanted: str) -> AuditCase:
    require(principal, Permission.POST_CLEARANCE)
    with node.read() as conn:
        return _case(conn, wanted)


__all__: Sequence[str] = [
    "AuditCase",
    "CaseClose",
    "assign_case",
    "case_id",
    "close_case",
    "get_case",
    "list_cases",
    "open_case",
]
