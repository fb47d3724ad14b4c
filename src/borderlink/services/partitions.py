"""Monthly partitions made ahead: what ``borderlink db partitions --ahead N`` does.

On PostgreSQL, declarations and goods items are partitioned by month (``store.partitions``);
ingest creates the months it meets, and this use case creates this month and the next ``ahead``
ones beforehand, so that a month's first writes never wait on DDL. Running it again creates
nothing. On SQLite there are no partitions: it reports so and changes nothing.
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel

from borderlink.errors import InvalidInput
from borderlink.services.accounts import audit
from borderlink.services.accounts.access import Permission, Principal, require
from borderlink.services.node import Node
from borderlink.store import partitions

MAX_AHEAD = 120  # ten years of months


class PartitionsMade(BaseModel):
    partitioned: bool  # false on SQLite, which keeps one table of each
    months: list[dt.date]  # the months asked for
    created: list[str]  # partitions created by this run
    partitions: int  # partitions there are now, the default ones included


def create_partitions(
    node: Node, principal: Principal, *, ahead: int, today: dt.date | None = None
) -> PartitionsMade:
    """Create this month's and the next ``ahead`` months' partitions that are missing."""
    require(principal, Permission.DATABASE_MANAGE)
    if not 0 <= ahead <= MAX_AHEAD:
        raise InvalidInput(f"ahead is 0 to {MAX_AHEAD} months", field="ahead")
    months = partitions.months_ahead(today or dt.datetime.now(dt.UTC).date(), ahead)
    with node.transaction() as conn:
        partitioned = conn.dialect.name == "postgresql"
        created = partitions.ensure_months(conn, months)
        total = len(partitions.existing(conn))
        audit.record(
            conn,
            actor=principal.username,
            action="db.partitions",
            object_type="database",
            details={"ahead": ahead, "from": months[0].isoformat(), "created": created},
        )
    return PartitionsMade(partitioned=partitioned, months=months, created=created, partitions=total)


__all__ = ["MAX_AHEAD", "PartitionsMade", "create_partitions"]
