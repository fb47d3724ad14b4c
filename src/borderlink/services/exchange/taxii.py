"""Serving partners over TAXII 2.1: who is calling, which collections they see, pages of objects.

A partner sees two collections: what this node released to it (each record with its signed
envelope) and what this node accepted from it, as held. A collection serves, in order, the
definition objects its records refer to (identities, extension-definitions, marking
definitions: :func:`borderlink.exchange.stix.definitions`), then each record's STIX objects
(the record and its parts) in the order of release. Every object has its own ``date_added``
(a copy's ``added_at``, unique per collection, plus the object's index in microseconds), so a
client paging by ``added_after`` misses nothing. Filters and paging: :mod:`.taxii_query`;
``next`` is opaque (``d<i>``: definitions from the i-th, ``r<after>:<k>``: records after
cursor ``after``, from the k-th object of the first).

:func:`partner_bundle` is what a partner reads, whole, for a liaison officer to check.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, String, cast, func, literal, select

from borderlink.cooperation.agreements import between
from borderlink.errors import IntegrityFailure, InvalidInput, NotFound
from borderlink.exchange.client import API_ROOT, TAXII_MEDIA, inbox_collection, outbox_collection
from borderlink.exchange.envelope import digest
from borderlink.exchange.identity import Partner
from borderlink.exchange.page import sign_page
from borderlink.exchange.stix import DEFINED, bundle, definitions, record_id_of, timestamp
from borderlink.exchange.stix import schema as stix_schema
from borderlink.exchange.stix import with_parts as _with_parts
from borderlink.exchange.stix_ids import TLP_MARKINGS
from borderlink.model.cooperation import Tlp
from borderlink.services.accounts.access import Permission, Principal, require
from borderlink.services.cooperation.agreements import load_agreements
from borderlink.services.cooperation.partners import get_partner, node_identity
from borderlink.services.exchange.added import TICK, aware, from_micros, micros, straddling
from borderlink.services.exchange.outbox import released_page, released_versions, sent_digests
from borderlink.services.exchange.taxii_query import MAX_PAGE, Query, parse_query, version_of
from borderlink.services.node import Node
from borderlink.store.cooperation_tables import coop_records, released

__all__ = [
    "API_ROOT",
    "MAX_PAGE",
    "TAXII_MEDIA",
    "Partner",
    "Query",
    "TaxiiPage",
    "collection",
    "collections",
    "object_versions",
    "objects_page",
    "parse_query",
    "partner_bundle",
    "stix_schema",
]
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
    envelopes: list[str] = field(default_factory=list)  # the records view only
    about: list[str] = field(default_factory=list)  # the record of each envelope
    signature: str | None = None  # the records view: the page's (borderlink.exchange.page)
    bare: bool = False  # the envelopes only, without the objects
    added: list[str] = field(default_factory=list)  # RFC 3339, one per object
    more: bool = False
    next: str | None = None

    def headers(self) -> dict[str, str]:
        if not self.added:
            return {}
        return {
            "X-TAXII-Date-Added-First": self.added[0],
            "X-TAXII-Date-Added-Last": self.added[-1],
        }

    def manifest(self) -> list[dict[str, Any]]:
        return [
            {"id": o["id"], "date_added": a, "version": version_of(o), "media_type": STIX_MEDIA}
            for o, a in zip(self.objects, self.added, strict=True)
        ]


@dataclass(frozen=True)
class _Row:
    before: int  # the cursor to page from to get this row first
    cursor: int  # the cursor after it
    ahead: bool  # a revocation served ahead of a copy held back: paging resumes before it
    stix: dict[str, Any]
    envelope: str | None
    added: dt.datetime
    first: bool  # the first version of its record in the collection
    last: bool  # the latest
    record_id: str = ""  # of an outbox row (the one its envelope is about)


@dataclass(frozen=True)
class _Batch:
    rows: list[_Row]
    more: bool
    last: int | None  # the last cursor passed (rows dropped for good included)


Source = Callable[[int, int, dt.datetime | None], _Batch]


def _outbox(
    node: Node, partner_id: str, *, every_version: bool = False, light: bool = False
) -> Source:
    """``every_version``: the query takes all versions, so which is a record's first or last
    is not asked for (and not looked up: sync pages this way, a thousand records at a time).
    ``light``: nothing asked needs the objects (the envelopes carry them): they are not read,
    and a row's ``stix`` says only whether it is a revocation."""

    def fetch(after: int, limit: int, since: dt.datetime | None) -> _Batch:
        page = released_page(
            node, partner_id, after=after, added_after=since, limit=limit, light=light
        )
        ids = set() if every_version else {record_id_of(r.stix) for r in page.rows}
        with node.read() as conn:
            extremes = (
                {
                    r.record_id: (r.first, r.last)
                    for r in conn.execute(
                        select(
                            released.c.record_id,
                            func.min(released.c.seq).label("first"),
                            func.max(released.c.seq).label("last"),
                        )
                        .where(released.c.partner_id == partner_id, released.c.record_id.in_(ids))
                        .group_by(released.c.record_id)
                    )
                }
                if ids
                else {}
            )
        rows, before = [], after
        for r in page.rows:
            low, high = extremes.get(r.record_id, (r.seq, r.seq)) if ids else (r.seq, r.seq)
            ahead = r.seq > (after if page.last_seq is None else page.last_seq)
            cursor = before if ahead else r.seq
            added = aware(r.added_at)
            stix = ({"revoked": True} if r.revoked else {}) if light else r.stix
            first, last = r.seq == low, r.seq == high
            rows.append(
                _Row(before, cursor, ahead, stix, r.envelope, added, first, last, r.record_id)
            )
            before = cursor
        return _Batch(rows, page.more, page.last_seq)

    return fetch


def _inbox(node: Node, partner_id: str) -> Source:
    """What this node holds from ``partner_id``, by (stored_at, id); the cursor is the last
    ``stored_at`` served, in microseconds (unique per sender: :func:`.added.stamp_held`)."""
    held_from = coop_records.c.received_from == partner_id

    def fetch(after: int, limit: int, since: dt.datetime | None) -> _Batch:
        query = (
            select(coop_records.c.document, coop_records.c.stored_at)
            .where(held_from)
            .order_by(coop_records.c.stored_at, coop_records.c.record_id)
            .limit(limit + 1)
        )
        if after:
            query = query.where(coop_records.c.stored_at > from_micros(after))
        with node.read() as conn:
            if since is not None:
                start = straddling(conn, coop_records.c.stored_at, held_from, since)
                query = query.where(coop_records.c.stored_at >= start)
            held = conn.execute(query).all()
        rows, before = [], after
        for r in held[:limit]:  # one version held per record: it is the first and the latest
            added, cursor = aware(r.stored_at), micros(r.stored_at)
            rows.append(_Row(before, cursor, False, r.document, None, added, True, True))
            before = cursor
        return _Batch(rows, len(held) > limit, rows[-1].cursor if rows else None)

    return fetch


def _source(
    node: Node, caller: Partner, collection_id: str, query: Query | None = None
) -> tuple[Source, bool]:
    collection(node, caller, collection_id)
    mine = collection_id == outbox_collection(node.settings.node_id, caller.partner_id)
    if not mine:
        return _inbox(node, caller.partner_id), mine
    every = query is not None and "all" in query.versions
    light = every and query is not None and query.bare and not query.filters
    return _outbox(node, caller.partner_id, every_version=every, light=light), mine


def _definitions(node: Node, caller: Partner, base_url: str, mine: bool) -> list[dict[str, Any]]:
    me = node.settings.node_id
    with node.read() as conn:
        agreements = between(load_agreements(conn), me, caller.partner_id)
        tlps = _referenced_tlps(conn, caller.partner_id, mine)
    issuers = {me: node.settings.node_name, caller.partner_id: caller.name}
    return definitions(issuers, agreements, author=me, base_url=base_url, tlps=tlps)


def _referenced_tlps(conn: Connection, partner_id: str, mine: bool) -> set[Tlp]:
    """The TLP levels the objects of the collection refer to (``mine``: the outgoing one): a
    definition nothing refers to would be taken as a marking of everything (MISP tags the event
    with it). The marking's id is searched in the stored JSON, which SQLite and PostgreSQL both
    keep as text."""
    if mine:
        column, scope = released.c.stix, released.c.partner_id == partner_id
    else:
        column, scope = coop_records.c.document, coop_records.c.received_from == partner_id
    text = cast(column, String)
    return {
        tlp
        for tlp, marking in TLP_MARKINGS.items()
        if conn.execute(select(literal(1)).where(scope, text.contains(marking)).limit(1)).first()
    }


def _position(token: str | None) -> tuple[str, int, int]:
    """(phase, cursor, skip) of a ``next`` token; a plain number is a release cursor."""
    try:
        if not token:
            return "d", 0, 0
        if token.isdigit():
            return "r", int(token), 0
        if token[0] == "d":
            return "d", int(token[1:]), 0
        if token[0] == "r":
            cursor, _, skip = token[1:].partition(":")
            return "r", int(cursor), int(skip or 0)
    except ValueError:
        pass
    raise InvalidInput(f"next: {token!r} is not a token this server gave", field="next")


class _Collector:
    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.page = TaxiiPage()

    def full(self) -> bool:
        return len(self.page.objects) >= self.limit

    def add(self, obj: dict[str, Any], added: dt.datetime, envelope: str | None) -> None:
        self.page.objects.append(obj)
        self.page.added.append(timestamp(added))
        if envelope is not None:
            self.page.envelopes.append(envelope)

    def done(self, token: str | None) -> TaxiiPage:
        self.page.more, self.page.next = token is not None, token
        return self.page


def _objects_of(stix: dict[str, Any]) -> list[dict[str, Any]]:
    try:
        return _with_parts([stix])
    except IntegrityFailure:  # held from before the standard mapping: served as it is
        return [stix]


def _row_objects(query: Query, row: _Row, skip: int) -> Iterator[tuple[int, dict[str, Any]]]:
    if not query.keeps(row.stix, first=row.first, last=row.last):
        return
    for k, obj in enumerate(_objects_of(row.stix)):
        added = row.added + k * TICK
        if (
            k >= skip
            and query.admits(obj)
            and (query.added_after is None or added > query.added_after)
        ):
            yield k, obj


def _records_from(
    source: Source, query: Query, out: _Collector, cursor: int, skip: int
) -> TaxiiPage:
    while True:
        batch = source(cursor, query.limit, query.added_after)
        for row in batch.rows:
            for k, obj in _row_objects(query, row, skip):
                if out.full():
                    return out.done(f"r{row.before}:{0 if row.ahead else k}")
                out.add(obj, row.added + k * TICK, row.envelope if k == 0 else None)
            skip, cursor = 0, row.cursor
        if not batch.more:
            return out.done(None)
        cursor = max(cursor, batch.last or cursor)


def _records_view(source: Source, query: Query) -> TaxiiPage:
    """The node-to-node form: each record's signed object, ``next`` the release cursor."""
    batch = source(int(query.next or 0), query.limit, query.added_after)
    page = TaxiiPage(more=batch.more, next=None if batch.last is None else str(batch.last))
    page.bare = query.bare
    for row in batch.rows:
        if query.keeps(row.stix, first=row.first, last=row.last) and query.admits(row.stix):
            if not query.bare:
                page.objects.append(row.stix)
            page.added.append(timestamp(row.added))
            if row.envelope is not None:
                page.envelopes.append(row.envelope)
                page.about.append(row.record_id)
    return page


def _signed(node: Node, caller: Partner, after: int, page: TaxiiPage) -> TaxiiPage:
    """``page`` with its signature (:mod:`borderlink.exchange.page`): over the digest of each
    envelope this node's log records as sent to ``caller`` (no other: one changed since it was
    sealed is left for the partner to verify alone, and refuse)."""
    sent = sent_digests(node, caller.partner_id, page.about)
    digests = [d if d in sent else None for d in map(digest, page.envelopes)]
    nxt = None if page.next is None else int(page.next)
    page.signature = sign_page(
        node_identity(node),
        recipient=caller.partner_id,
        after=after,
        next=nxt,
        more=page.more,
        digests=digests,
        now=dt.datetime.now(dt.UTC),
    )
    return page


def objects_page(
    node: Node, caller: Partner, collection_id: str, query: Query, *, base_url: str
) -> TaxiiPage:
    """One page of ``collection_id`` for ``caller``, as ``query`` asks."""
    source, mine = _source(node, caller, collection_id, query)
    if query.records:
        if query.next and not query.next.isdigit():
            raise InvalidInput("next: the records view pages by release cursor", field="next")
        page = _records_view(source, query)
        return _signed(node, caller, int(query.next or 0), page) if mine else page
    phase, cursor, skip = _position(query.next)
    out = _Collector(query.limit)
    if phase == "d":
        for i, obj in enumerate(_definitions(node, caller, base_url, mine)):
            added = DEFINED + i * TICK
            if i < cursor or not query.admits(obj) or not query.keeps(obj, first=True, last=True):
                continue
            if query.added_after is not None and added <= query.added_after:
                continue
            if out.full():
                return out.done(f"d{i}")
            out.add(obj, added, None)
        cursor, skip = 0, 0
    return _records_from(source, query, out, cursor, skip)


def object_versions(
    node: Node, caller: Partner, collection_id: str, object_id: str, query: Query | None = None
) -> TaxiiPage:
    """The versions of one record released to the caller (outgoing collection only), as
    ``match[version]`` asks (every version without a query)."""
    _, mine = _source(node, caller, collection_id)
    if not mine:
        raise NotFound("single objects are served from the outgoing collection only")
    rows = released_versions(node, caller.partner_id, object_id)
    if not rows:
        raise NotFound(f"no object {object_id} in this collection", field="object_id")
    asked = query or Query(versions=frozenset({"all"}))
    page = TaxiiPage()
    for i, r in enumerate(rows):
        if asked.admits(r.stix) and asked.keeps(r.stix, first=i == 0, last=i == len(rows) - 1):
            page.objects.append(r.stix)
            page.envelopes.append(r.envelope)
            page.added.append(timestamp(aware(r.added_at)))
    return page


def partner_bundle(
    node: Node, principal: Principal, partner_id: str, *, base_url: str
) -> dict[str, Any]:
    """Everything ``partner_id`` reads from this node's collection for it, as one STIX bundle:
    the definition objects, then every record's objects (all versions), as the partner gets
    them through TAXII (the same pages)."""
    require(principal, Permission.SHARING_OUTGOING)
    partner = get_partner(node, partner_id)
    cid = outbox_collection(node.settings.node_id, partner_id)
    query, objects = Query(limit=MAX_PAGE, versions=frozenset({"all"})), []
    while True:
        page = objects_page(node, partner, cid, query, base_url=base_url)
        objects += page.objects
        if not page.more:
            return bundle(objects)
        query = Query(limit=MAX_PAGE, versions=query.versions, next=page.next)
