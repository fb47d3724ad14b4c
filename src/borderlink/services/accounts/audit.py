"""The append-only audit log: who did what, to which object, when and why."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Connection, insert

from borderlink.store.tables import audit_log


def record(
    conn: Connection,
    *,
    actor: str,
    action: str,
    object_type: str | None = None,
    object_id: str | None = None,
    reason: str | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    """Append one entry in the caller's transaction, so the entry and the act commit together."""
    values = {
        "at": dt.datetime.now(dt.UTC),
        "actor": actor,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "reason": reason,
        "details": details,
    }
    conn.execute(_APPEND, values)


# Built once, the values bound per call: many requests write an entry, and a statement built
# per call cost more to build and key than the insert.
_APPEND = insert(audit_log)
