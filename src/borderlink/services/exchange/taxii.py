"""Serving partners over TAXII 2.1: who is calling, which collections they see, pages of objects.

A partner sees two collections: what this node released to it (each object with its signed
envelope) and what this node accepted from it, as held. Pages follow the order of release;
``next`` is the last sequence number passed, ``added_after`` filters by release time.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from borderlink.errors import InvalidInput, NotFound
from borderlink.exchange.client import API_ROOT, TAXII_MEDIA, inbox_collection, outbox_collection
from borderlink.exchange.identity import Partner
from borderlink.exchange.stix import parse_timestamp, timestamp
from borderlink.services.exchange.sync import released_page, released_versions
from borderlink.services.node import Node
from borderlink.store.cooperation_tables import coop_records

__all__ = [
    "API_ROOT",
    "TAXII_MEDIA",
    "Partner",
    "TaxiiPage",
    "collection",
    "collections",
    "object_versions",
    "objects_page",
]
MAX_PAGE = 1000
STIX_MEDIA = "application/stix+json;version=2.1"


def collections(node: Node, caller: Partner) -> dict[str, dict[str, Any]]:
    me, them = node.settings.node_id, caller.partner_id
    out = {
        outbox_collection(me, them): {
            "title": f"{me} to {them}",
            "description": f"Records {me} released to {them} under agreements",
        },
        inbox_collection(me, them): {
            "title": f"{them} to {me}",
            "description": f"Records {me} accepted from {them}, as held",
        },
    }
    return {
        cid: {"id": cid, **info, "can_read": True, "can_write": False, "media_types": [STIX_MEDIA]}
        for cid, info in out.items()
    }


def collection(node: Node, caller: Partner, collection_id: str) -> dict[str, Any]:
    found = collections(node, caller).get(collection_id)
    if found is None:
        raise NotFound(f"no collection {collection_id} for {caller.partner_id}")
    return found


@dataclass
class TaxiiPage:
    objects: list[dict[str, Any]] = field(default_factory=list)
    envelopes: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)  # RFC 3339, one per object
    more: bool = False
    next: int | None = None

    def headers(self) -> dict[str, str]:
        if not self.added:
            return {}
        return {
            "X-TAXII-Date-Added-First": self.added[0],
            "X-TAXII-Date-Added-Last": self.added[-1],
        }

    def manifest(self) -> list[dict[str, Any]]:
        return [
            {"id": o["id"], "date_added": a, "version": o["modified"], "media_type": STIX_MEDIA}
            for o, a in zip(self.objects, self.added, strict=True)
        ]


def _stamp(value: dt.datetime) -> str:
    return timestamp(value if value.tzinfo else value.replace(tzinfo=dt.UTC))


def objects_page(
    node: Node,
    caller: Partner,
    collection_id: str,
    *,
    added_after: str | None = None,
    limit: int = 100,
    next_: str | None = None,
) -> TaxiiPage:
    collection(node, caller, collection_id)
    try:
        after = int(next_) if next_ else 0
        since = parse_timestamp(added_after) if added_after else None
    except ValueError as error:
        raise InvalidInput(f"bad paging parameter: {error}", field="next") from error
    limit = max(1, min(limit, MAX_PAGE))
    if collection_id == outbox_collection(node.settings.node_id, caller.partner_id):
        page = released_page(node, caller.partner_id, after=after, added_after=since, limit=limit)
        return TaxiiPage(
            [r.stix for r in page.rows],
            [r.envelope for r in page.rows],
            [_stamp(r.added_at) for r in page.rows],
            page.more,
            page.last_seq,
        )
    query = (
        select(coop_records.c.document, coop_records.c.stored_at)
        .where(coop_records.c.received_from == caller.partner_id)
        .order_by(coop_records.c.stored_at, coop_records.c.record_id)
        .offset(after)
        .limit(limit + 1)
    )
    if since is not None:
        query = query.where(coop_records.c.stored_at > since)
    with node.read() as conn:
        held = conn.execute(query).all()
    shown = held[:limit]
    return TaxiiPage(
        [r.document for r in shown],
        [],
        [_stamp(r.stored_at) for r in shown],
        len(held) > limit,
        after + len(shown) if shown else None,
    )


def object_versions(node: Node, caller: Partner, collection_id: str, object_id: str) -> TaxiiPage:
    """Every version of one object released to the caller (outgoing collection only)."""
    collection(node, caller, collection_id)
    if collection_id != outbox_collection(node.settings.node_id, caller.partner_id):
        raise NotFound("single objects are served from the outgoing collection only")
    rows = released_versions(node, caller.partner_id, object_id)
    if not rows:
        raise NotFound(f"no object {object_id} in this collection", field="object_id")
    return TaxiiPage(
        [r.stix for r in rows], [r.envelope for r in rows], [_stamp(r.added_at) for r in rows]
    )
