"""When each released copy was added to its partner's collection: a unique instant per object.

TAXII clients page by ``added_after`` = the last ``date_added`` they saw, so two objects of one
collection must never share a ``date_added``: the second would be skipped. A copy becomes
several STIX objects (the record and, for a seizure, its parts), served at ``added_at`` plus
their index in microseconds; :func:`stamp` gives each new copy an ``added_at`` after every
object of the partner's collection so far. Called under the exchange lock
(:func:`borderlink.services.exchange.log.exclusive`), which serialises releases.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Connection, select

from borderlink.errors import IntegrityFailure
from borderlink.exchange.stix import with_parts
from borderlink.store.cooperation_tables import released

TICK = dt.timedelta(microseconds=1)


def aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def width(stix: dict[str, Any]) -> int:
    """How many objects a released copy is served as (it, and its parts)."""
    try:
        return len(with_parts([stix]))
    except IntegrityFailure:  # a copy from before the standard mapping: served as it is
        return 1


def _free_after(conn: Connection, partner_id: str) -> dt.datetime | None:
    last = conn.execute(
        select(released.c.stix, released.c.added_at)
        .where(released.c.partner_id == partner_id)
        .order_by(released.c.seq.desc())
        .limit(1)
    ).first()
    return aware(last.added_at) + width(last.stix) * TICK if last else None


def stamp(conn: Connection, copies: list[dict[str, Any]]) -> None:
    """Move each copy's ``added_at`` (in order) past everything its partner was served before."""
    free: dict[str, dt.datetime | None] = {}
    for copy in copies:
        partner = copy["partner_id"]
        if partner not in free:
            free[partner] = _free_after(conn, partner)
        floor = free[partner]
        added = aware(copy["added_at"])
        copy["added_at"] = added if floor is None or added >= floor else floor
        free[partner] = copy["added_at"] + width(copy["stix"]) * TICK
