"""When each copy was added to a collection: a unique instant per object, in both directions.

TAXII clients page by ``added_after`` = the last ``date_added`` they saw, so two objects of one
collection must never share a ``date_added``: the second would be skipped. A copy becomes
several STIX objects (the record and, for a seizure, its parts), served at its instant plus
their index in microseconds. :func:`stamp` gives each copy released to a partner an
``added_at`` after every object of that partner's collection so far; :func:`stamp_held` does
the same for what this node holds from a partner (``stored_at``, the date_added of the
collection "<partner> to <this node>"). Both run under the exchange lock
(:func:`borderlink.services.exchange.log.exclusive`), which serialises releases and receipts,
so instants only grow, in the order the collections are served (which keyset paging needs).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Column, ColumnElement, Connection, func, select

from borderlink.errors import IntegrityFailure
from borderlink.exchange.stix import with_parts
from borderlink.store.cooperation_tables import coop_records, released

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


def _held_free_after(conn: Connection, sender: str) -> dt.datetime | None:
    last = conn.execute(
        select(coop_records.c.document, coop_records.c.stored_at)
        .where(coop_records.c.received_from == sender)
        .order_by(coop_records.c.stored_at.desc())
        .limit(1)
    ).first()
    return aware(last.stored_at) + width(last.document) * TICK if last else None


def stamp_held(conn: Connection, rows: list[dict[str, Any]]) -> None:
    """Move each held row's ``stored_at`` (in order) past everything held from its sender."""
    free: dict[str, dt.datetime | None] = {}
    for row in rows:
        sender = row["received_from"]
        if sender is None:
            continue  # issued here: in no partner's inbox collection
        if sender not in free:
            free[sender] = _held_free_after(conn, sender)
        floor = free[sender]
        stored = aware(row["stored_at"])
        row["stored_at"] = stored if floor is None or stored >= floor else floor
        free[sender] = row["stored_at"] + width(row["document"]) * TICK


def micros(value: dt.datetime) -> int:
    """An instant as whole microseconds since the epoch: the inbox's paging cursor."""
    delta = aware(value) - EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def from_micros(value: int) -> dt.datetime:
    return EPOCH + dt.timedelta(microseconds=value)


EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def straddling(
    conn: Connection, instant_of: Column[Any], within: ColumnElement[bool], instant: dt.datetime
) -> dt.datetime:
    """Where a collection paged by ``added_after=instant`` starts: the instant of the copy whose
    objects may span it (the last added at or before it: its later parts are after it), or
    ``instant`` itself when there is none. One index seek."""
    found = conn.execute(select(func.max(instant_of)).where(within, instant_of <= instant)).scalar()
    return aware(found) if found is not None else instant
