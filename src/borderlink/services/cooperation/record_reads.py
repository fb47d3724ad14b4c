"""What issuing, receiving and the exchange read of the records held: versions, the agreement
each copy went under, the partners and their keys, a record or every record as held."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Connection, select

from borderlink.errors import NotFound
from borderlink.exchange.identity import Partner
from borderlink.exchange.stix import from_stix
from borderlink.model.cooperation import CoopRecord
from borderlink.services.cooperation.partners import retired_keys_by_node
from borderlink.services.node import Node
from borderlink.store.cooperation_tables import coop_records, partners, released


def sent_under(conn: Connection, record_ids: Sequence[str]) -> dict[tuple[str, str], str]:
    """(partner, record) → the agreement of the latest copy of the record that partner got:
    under it, a revocation travels whatever the agreement's state now."""
    if not record_ids:
        return {}
    rows = conn.execute(
        select(released.c.partner_id, released.c.record_id, released.c.agreement_id)
        .where(released.c.record_id.in_(set(record_ids)))
        .order_by(released.c.seq)
    ).all()
    return {(r.partner_id, r.record_id): r.agreement_id for r in rows}


def load_partners(conn: Connection) -> list[Partner]:
    rows = conn.execute(select(partners).order_by(partners.c.partner_id)).all()
    retired = retired_keys_by_node(conn)
    return [
        Partner(r.partner_id, r.name, r.public_key, r.base_url, retired.get(r.partner_id, ()))
        for r in rows
    ]


def held_versions(conn: Connection, record_ids: Iterable[str]) -> dict[str, dt.datetime]:
    """The version (``modified``) held of each of ``record_ids`` that is held."""
    ids = list(set(record_ids))
    rows = conn.execute(
        select(coop_records.c.record_id, coop_records.c.modified).where(
            coop_records.c.record_id.in_(ids)
        )
    ).all()
    return {r.record_id: _aware(r.modified) for r in rows}


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def get_record(node: Node, record_id: str) -> CoopRecord:
    with node.read() as conn:
        row = conn.execute(
            select(coop_records.c.document).where(coop_records.c.record_id == record_id)
        ).first()
    if row is None:
        raise NotFound(f"no record {record_id!r}", field="record_id")
    return from_stix(row.document)


def held_objects(node: Node) -> list[dict[str, Any]]:
    """Every record this node holds, as the STIX object it holds (redactions visible)."""
    with node.read() as conn:
        rows = conn.execute(select(coop_records.c.document).order_by(coop_records.c.record_id))
        return [dict(r.document) for r in rows]
