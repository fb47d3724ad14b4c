"""Reading training records back as model objects (shared by the capacity use cases)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, select

from borderlink.model.capacity import TrainingRecord
from borderlink.store.capacity_tables import training_records

RECORD_FIELDS = tuple(TrainingRecord.model_fields)


def as_record(row: Any) -> TrainingRecord:
    return TrainingRecord(**{name: getattr(row, name) for name in RECORD_FIELDS})


def standing_records(
    conn: Connection, *, username: str | None = None, certification: str | None = None
) -> list[TrainingRecord]:
    """Training records not withdrawn, for one person and/or one certification."""
    query = select(training_records).where(training_records.c.withdrawn_at.is_(None))
    if username is not None:
        query = query.where(training_records.c.username == username)
    if certification is not None:
        query = query.where(training_records.c.certification == certification)
    return [as_record(row) for row in conn.execute(query)]
