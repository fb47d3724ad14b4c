"""The audit log is append-only in the database itself: updates and deletes are refused."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, delete, func, select, update
from sqlalchemy.exc import DBAPIError

from borderlink.services.accounts import audit
from borderlink.store.tables import audit_log


def test_audit_entries_can_be_added_but_never_changed_or_removed(engine: Engine) -> None:
    with engine.begin() as conn:
        audit.record(conn, actor="a", action="x.y", object_id="1")
    for statement in (update(audit_log).values(actor="someone else"), delete(audit_log)):
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
            conn.execute(statement)
    with engine.connect() as conn:
        assert conn.execute(select(audit_log.c.actor)).scalars().all() == ["a"]
        assert conn.execute(select(func.count()).select_from(audit_log)).scalar_one() == 1
