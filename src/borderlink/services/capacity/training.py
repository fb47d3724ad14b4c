"""Training records and the certifications they grant.

Everyone reads their own record (``training:own``); administrators (``training:manage``) record
courses for anyone, withdraw a certification, and read everyone's, with the certifications that
lapse soon. A record's natural key is (person, course, completion day): the same record twice
changes nothing, a different one on that key corrects it (audited as such).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import Connection, insert, select, update

from borderlink import capacity
from borderlink.errors import InvalidInput, NotFound
from borderlink.model.capacity import TrainingRecord
from borderlink.services.accounts import audit
from borderlink.services.accounts.access import Permission, Principal, require
from borderlink.services.capacity._rows import as_record, standing_records
from borderlink.services.node import Node
from borderlink.store.accounts_tables import users
from borderlink.store.capacity_tables import training_records as table

EXPIRING_DAYS = 60  # "lapsing soon", on the pages and by default in the commands


class TrainingRecordView(TrainingRecord):
    record_id: int
    source: str
    recorded_by: str
    recorded_at: dt.datetime
    withdrawn_at: dt.datetime | None = None
    withdrawn_by: str | None = None


class CertificationView(BaseModel):
    username: str
    certification: str
    since: dt.date
    expires_on: dt.date | None
    days_left: int | None = Field(description="Days until it lapses (none: never)")
    course: str


class Standing(BaseModel):
    """Who holds what on a day, and what lapses within ``within_days``."""

    on: dt.date
    within_days: int
    held: list[CertificationView]
    expiring: list[CertificationView]


class Recorded(BaseModel):
    record: TrainingRecordView
    change: str  # added, corrected, unchanged


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _view(row: Any) -> TrainingRecordView:
    values = {name: getattr(row, name) for name in TrainingRecordView.model_fields}
    values["recorded_at"] = _aware(values["recorded_at"])
    values["withdrawn_at"] = _aware(values["withdrawn_at"])
    return TrainingRecordView(**values)


def _key(record: TrainingRecord) -> Any:
    return (
        (table.c.username == record.username)
        & (table.c.course == record.course)
        & (table.c.completed_on == record.completed_on)
    )


def _check_user(conn: Connection, username: str) -> None:
    if conn.execute(select(users.c.user_id).where(users.c.username == username)).first() is None:
        raise NotFound(f"no user {username}", field="username")


def record_on(conn: Connection, record: TrainingRecord) -> TrainingRecordView | None:
    """The stored record on ``record``'s natural key, if any."""
    row = conn.execute(select(table).where(_key(record))).first()
    return None if row is None else _view(row)


def store_record(
    conn: Connection, principal: Principal, record: TrainingRecord, *, source: str
) -> Recorded:
    """Write one record in the caller's transaction (exercises mark attempts through this)."""
    before = conn.execute(select(table).where(_key(record))).first()
    if before is not None and as_record(before) == record and before.withdrawn_at is None:
        return Recorded(record=_view(before), change="unchanged")
    values = record.model_dump() | {
        "source": source,
        "recorded_by": principal.username,
        "recorded_at": dt.datetime.now(dt.UTC),
        "withdrawn_at": None,
        "withdrawn_by": None,
    }
    if before is None:
        conn.execute(insert(table).values(**values))
    else:
        conn.execute(update(table).where(_key(record)).values(**values))
    change = "added" if before is None else "corrected"
    audit.record(
        conn,
        actor=principal.username,
        action=f"training.{'record' if before is None else 'correct'}",
        object_type="user",
        object_id=record.username,
        details=record.model_dump(mode="json", include={"course", "result", "certification"}),
    )
    return Recorded(
        record=_view(conn.execute(select(table).where(_key(record))).one()), change=change
    )


def record_training(node: Node, principal: Principal, record: TrainingRecord) -> Recorded:
    """Record a course an officer followed (and the certification a pass grants)."""
    require(principal, Permission.TRAINING_MANAGE)
    with node.transaction() as conn:
        _check_user(conn, record.username)
        return store_record(conn, principal, record, source="recorded")


def withdraw(node: Node, principal: Principal, record_id: int, reason: str) -> TrainingRecordView:
    """Withdraw the certification a record granted (kept, marked withdrawn, audited)."""
    require(principal, Permission.TRAINING_MANAGE)
    if not reason.strip():
        raise InvalidInput("a withdrawal needs a reason", field="reason")
    with node.transaction() as conn:
        row = conn.execute(select(table).where(table.c.record_id == record_id)).first()
        if row is None:
            raise NotFound(f"no training record {record_id}", field="record_id")
        if row.withdrawn_at is None:
            conn.execute(
                update(table)
                .where(table.c.record_id == record_id)
                .values(withdrawn_at=dt.datetime.now(dt.UTC), withdrawn_by=principal.username)
            )
            audit.record(
                conn,
                actor=principal.username,
                action="certification.withdraw",
                object_type="user",
                object_id=row.username,
                reason=reason,
                details={"record_id": record_id, "certification": row.certification},
            )
        return _view(conn.execute(select(table).where(table.c.record_id == record_id)).one())


def _whose(principal: Principal, username: str | None) -> str | None:
    """Whose records the principal asks for: others' (or everyone's: None) need training:manage."""
    if username == principal.username or (
        username is None and not principal.can(Permission.TRAINING_MANAGE)
    ):
        require(principal, Permission.TRAINING_OWN)
        return principal.username
    require(principal, Permission.TRAINING_MANAGE)
    return username


def list_records(
    node: Node, principal: Principal, username: str | None = None
) -> list[TrainingRecordView]:
    """Training records, newest first: one's own, or (administrators) anyone's or everyone's."""
    who = _whose(principal, username)
    query = select(table).order_by(table.c.completed_on.desc(), table.c.record_id.desc())
    if who is not None:
        query = query.where(table.c.username == who)
    with node.read() as conn:
        return [_view(row) for row in conn.execute(query)]


def _cert_view(item: capacity.Held, on: dt.date) -> CertificationView:
    return CertificationView(
        username=item.username,
        certification=item.certification,
        since=item.since,
        expires_on=item.expires_on,
        days_left=item.days_left(on),
        course=item.course,
    )


def standing(
    node: Node,
    principal: Principal,
    username: str | None = None,
    *,
    on: dt.date | None = None,
    within_days: int = EXPIRING_DAYS,
) -> Standing:
    """Certifications in force on ``on`` (default today) and those lapsing within
    ``within_days``: one's own, or (administrators) anyone's or everyone's."""
    if not 0 <= within_days <= 3660:
        raise InvalidInput("within_days is 0 to 3660", field="within_days")
    who = _whose(principal, username)
    day = on or dt.datetime.now(dt.UTC).date()
    with node.read() as conn:
        records = standing_records(conn, username=who)
    return Standing(
        on=day,
        within_days=within_days,
        held=[_cert_view(h, day) for h in capacity.held(records, day)],
        expiring=[_cert_view(h, day) for h in capacity.expiring(records, day, within_days)],
    )
