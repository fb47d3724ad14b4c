"""Customs inspections: assign them to officers within an office's daily capacity, and record
the structured inspection report (with the outcome it decides, in one transaction).

Officers assign and report at their own office (``outcomes:record``); an administrator sets an
office's capacity (``inspections:manage``). The assignee is an active officer of the
declaration's office. Assigning the same officer the same day again changes nothing; a report
repeated unchanged changes nothing; a corrected one is the next version (the audit log keeps
what it replaced).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Connection, func, insert, select, update

from borderlink.coordination.inspections import InspectionReport as InspectionReport
from borderlink.coordination.inspections import ItemFinding as ItemFinding
from borderlink.coordination.inspections import Method as Method
from borderlink.coordination.inspections import check_capacity, check_report
from borderlink.errors import InvalidInput
from borderlink.model import Outcome
from borderlink.services.accounts import audit
from borderlink.services.accounts.access import Permission, Principal, Role, require
from borderlink.services.coordination import photos as photo_store
from borderlink.services.coordination.declaration_office import office_of as _office_of
from borderlink.services.declarations.read import OutcomeView, store_outcome
from borderlink.services.node import Node
from borderlink.store.accounts_tables import users
from borderlink.store.coordination_tables import (
    inspection_assignments,
    inspection_capacity,
    inspection_reports,
)
from borderlink.store.tables import goods_items


class Assignment(BaseModel):
    declaration_id: str
    officer: str
    office_id: str | None
    day: dt.date
    assigned_by: str
    assigned_at: dt.datetime
    capacity: int | None
    assigned_that_day: int


class ReportView(BaseModel):
    declaration_id: str
    methods: list[Method]
    findings: list[ItemFinding]
    officer: str
    version: int
    recorded_at: dt.datetime


def _utc(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def set_capacity(node: Node, principal: Principal, office_id: str, per_day: int) -> None:
    """How many inspections an office can do a day (0 is none; replacing it is idempotent)."""
    require(principal, Permission.INSPECTIONS_MANAGE)
    if not 0 <= per_day <= 10_000:
        raise InvalidInput(f"office {office_id}: capacity is 0 to 10000 a day", field="per_day")
    now = dt.datetime.now(dt.UTC)
    with node.transaction() as conn:
        key = inspection_capacity.c.office_id == office_id
        before = conn.execute(select(inspection_capacity.c.per_day).where(key)).scalar()
        if before == per_day:
            return
        values = {"per_day": per_day, "updated_by": principal.username, "updated_at": now}
        if before is None:
            conn.execute(insert(inspection_capacity).values(office_id=office_id, **values))
        else:
            conn.execute(update(inspection_capacity).where(key).values(**values))
        audit.record(
            conn,
            actor=principal.username,
            action="inspections.capacity",
            object_type="office",
            object_id=office_id,
            reason=f"{per_day} a day (was {before if before is not None else 'unset'})",
        )


def _load(conn: Connection, office: str | None, day: dt.date) -> tuple[int | None, int]:
    capacity = conn.execute(
        select(inspection_capacity.c.per_day).where(inspection_capacity.c.office_id == office)
    ).scalar()
    taken = conn.execute(
        select(func.count()).where(
            inspection_assignments.c.office_id == office, inspection_assignments.c.day == day
        )
    ).scalar_one()
    return capacity, int(taken)


def _assignment(conn: Connection, row: Any) -> Assignment:
    capacity, taken = _load(conn, row.office_id, row.day)
    return Assignment(
        declaration_id=row.declaration_id,
        officer=row.officer,
        office_id=row.office_id,
        day=row.day,
        assigned_by=row.assigned_by,
        assigned_at=_utc(row.assigned_at),
        capacity=capacity,
        assigned_that_day=taken,
    )


def _check_officer(conn: Connection, officer: str, office: str | None, declaration: str) -> None:
    row = conn.execute(
        select(users.c.role, users.c.office_id, users.c.active).where(users.c.username == officer)
    ).first()
    if row is None or not row.active or row.role != Role.OFFICER.value:
        raise InvalidInput(
            f"declaration {declaration}: {officer!r} is not an active officer", field="officer"
        )
    if row.office_id != office:
        raise InvalidInput(
            f"declaration {declaration}: {officer} works at {row.office_id or 'no office'}, "
            f"not at {office or 'no office'}",
            field="officer",
        )


def assign(
    node: Node, principal: Principal, declaration_id: str, officer: str, day: dt.date
) -> Assignment:
    """Assign the declaration's inspection to an officer of its office, on a day with room."""
    require(principal, Permission.OUTCOMES_RECORD)
    now = dt.datetime.now(dt.UTC)
    with node.transaction() as conn:
        office = _office_of(conn, principal, declaration_id)
        _check_officer(conn, officer, office, declaration_id)
        key = inspection_assignments.c.declaration_id == declaration_id
        before = conn.execute(select(inspection_assignments).where(key)).first()
        if before is not None and (before.officer, before.day) == (officer, day):
            return _assignment(conn, before)
        capacity, taken = _load(conn, office, day)
        if before is None or before.day != day:  # moving within the day takes no new room
            check_capacity(office or "(none)", day, taken, capacity)
        values = {
            "officer": officer,
            "office_id": office,
            "day": day,
            "assigned_by": principal.username,
            "assigned_at": now,
        }
        if before is None:
            conn.execute(
                insert(inspection_assignments).values(declaration_id=declaration_id, **values)
            )
        else:
            conn.execute(update(inspection_assignments).where(key).values(**values))
        audit.record(
            conn,
            actor=principal.username,
            action="inspection.assign",
            object_type="declaration",
            object_id=declaration_id,
            reason=f"to {officer} on {day}",
            details={"officer": officer, "day": day.isoformat()},
        )
        return _assignment(conn, conn.execute(select(inspection_assignments).where(key)).one())


def assignment_for(node: Node, principal: Principal, declaration_id: str) -> Assignment | None:
    require(principal, Permission.DECLARATIONS_READ)
    with node.read() as conn:
        _office_of(conn, principal, declaration_id)
        row = conn.execute(
            select(inspection_assignments).where(
                inspection_assignments.c.declaration_id == declaration_id
            )
        ).first()
        return None if row is None else _assignment(conn, row)


def officers(node: Node, principal: Principal, declaration_id: str) -> list[str]:
    """The active officers of the declaration's office (whom its inspection may go to)."""
    require(principal, Permission.OUTCOMES_RECORD)
    with node.read() as conn:
        office = _office_of(conn, principal, declaration_id)
        query = select(users.c.username).where(
            users.c.role == Role.OFFICER.value,
            users.c.active.is_(True),
            users.c.office_id == office,
        )
        return sorted(conn.execute(query).scalars())


def record_report(
    node: Node,
    principal: Principal,
    declaration_id: str,
    report: InspectionReport,
    photos: Sequence[photo_store.PhotoFile] = (),
) -> tuple[ReportView, OutcomeView]:
    """Record the structured report, the outcome it decides and its photos, together (a photo
    refused leaves nothing written)."""
    require(principal, Permission.OUTCOMES_RECORD)
    now = dt.datetime.now(dt.UTC)
    with node.transaction() as conn:
        _office_of(conn, principal, declaration_id)
        item_nos = set(
            conn.execute(
                select(goods_items.c.item_no).where(goods_items.c.declaration_id == declaration_id)
            ).scalars()
        )
        check_report(declaration_id, report, item_nos)
        values = {
            "methods": [m.value for m in report.methods],
            "findings": [f.model_dump(mode="json") for f in report.findings],
        }
        key = inspection_reports.c.declaration_id == declaration_id
        before = conn.execute(select(inspection_reports).where(key)).first()
        outcome = store_outcome(
            conn,
            principal,
            Outcome(
                declaration_id=declaration_id,
                illicit=report.illicit,
                severity=report.severity,
                revenue_recovered=report.revenue_recovered,
                inspected_on=report.inspected_on,
                note=report.note,
            ),
        )
        _write_report(conn, principal, declaration_id, before, values, now)
        photo_store.store(conn, node.settings, principal, declaration_id, photos)
        row = conn.execute(select(inspection_reports).where(key)).one()
    return _report(row), outcome


def _write_report(
    conn: Connection,
    principal: Principal,
    declaration_id: str,
    before: Any,
    values: dict[str, Any],
    now: dt.datetime,
) -> None:
    """The report row: the first version, or the next when it changed (the old one audited)."""
    key = inspection_reports.c.declaration_id == declaration_id
    if before is None:
        conn.execute(
            insert(inspection_reports).values(
                declaration_id=declaration_id,
                officer=principal.username,
                version=1,
                recorded_at=now,
                **values,
            )
        )
    elif (before.methods, before.findings) != (values["methods"], values["findings"]):
        conn.execute(
            update(inspection_reports)
            .where(key)
            .values(
                officer=principal.username,
                version=before.version + 1,
                recorded_at=now,
                **values,
            )
        )
        audit.record(
            conn,
            actor=principal.username,
            action="inspection.report.correct",
            object_type="declaration",
            object_id=declaration_id,
            details={"replaced": {"methods": before.methods, "findings": before.findings}},
        )


def _report(row: Any) -> ReportView:
    return ReportView(
        declaration_id=row.declaration_id,
        methods=[Method(m) for m in row.methods],
        findings=[ItemFinding.model_validate(f) for f in row.findings],
        officer=row.officer,
        version=row.version,
        recorded_at=_utc(row.recorded_at),
    )


def report_for(node: Node, principal: Principal, declaration_id: str) -> ReportView | None:
    require(principal, Permission.DECLARATIONS_READ)
    with node.read() as conn:
        _office_of(conn, principal, declaration_id)
        row = conn.execute(
            select(inspection_reports).where(inspection_reports.c.declaration_id == declaration_id)
        ).first()
    return None if row is None else _report(row)
