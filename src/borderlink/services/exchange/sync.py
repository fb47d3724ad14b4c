"""Pulling from partners: resumable sync of a partner's collection, notices, the scheduler.

A sync reads the partner's TAXII collection for this node page by page from the stored cursor;
each page's records and the new cursor commit together, so a node killed mid-sync resumes where
its last page ended, with no loss and no duplicate. First it fetches the partner's signed tree
head with its key statements (a key rotation is applied before what the new key signed is
checked); at the end it witnesses that head (consistent with the one held), on every sync.
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass, field
from typing import Any

import httpx
from sqlalchemy import Connection, Select, insert, select, update

from borderlink.cooperation.agreements import in_force
from borderlink.errors import BorderLinkError, IntegrityFailure
from borderlink.exchange.envelope import NOTICE, check_fresh, digest, verify
from borderlink.exchange.identity import Partner
from borderlink.exchange.stix import parse_timestamp
from borderlink.model.cooperation import AgreementState
from borderlink.services.cooperation.agreements import load_agreements
from borderlink.services.cooperation.partners import get_partner, known_partners, node_identity
from borderlink.services.cooperation.receiving import receive_all
from borderlink.services.cooperation.records import TransportFor
from borderlink.services.exchange.calls import partner_client
from borderlink.services.exchange.keys import accept_key_statements
from borderlink.services.exchange.log import exclusive, witness_partner
from borderlink.services.exchange.quarantine import keep, retry_held
from borderlink.services.node import Node
from borderlink.store.cooperation_tables import released, sync_cursors


@dataclass
class SyncResult:
    partner_id: str
    pages: int = 0
    accepted: int = 0
    duplicates: int = 0
    rejected: dict[str, str] = field(default_factory=dict)  # digest -> why (now quarantined)
    retried: int = 0  # quarantined envelopes accepted at the start of this sync
    cursor: int = 0
    witnessed_size: int | None = None


def cursor(conn: Connection, partner_id: str) -> int:
    row = conn.execute(
        select(sync_cursors.c.next_seq).where(sync_cursors.c.partner_id == partner_id)
    ).first()
    return int(row.next_seq) if row else 0


def _save_cursor(conn: Connection, partner_id: str, seq: int) -> None:
    now = dt.datetime.now(dt.UTC)
    if conn.execute(
        select(sync_cursors.c.partner_id).where(sync_cursors.c.partner_id == partner_id)
    ).first():
        conn.execute(
            update(sync_cursors)
            .where(sync_cursors.c.partner_id == partner_id)
            .values(next_seq=seq, updated_at=now)
        )
    else:
        conn.execute(
            insert(sync_cursors).values(partner_id=partner_id, next_seq=seq, updated_at=now)
        )


def sync_partner(
    node: Node,
    partner_id: str,
    *,
    transport: httpx.BaseTransport | None = None,
    page_size: int | None = None,
    max_pages: int | None = None,
    witness_log: bool = True,
) -> SyncResult:
    """Pull what ``partner_id`` released to this node since the last sync."""
    identity = node_identity(node)
    partner = get_partner(node, partner_id)
    limit = page_size or node.settings.exchange_page_size
    result = SyncResult(partner_id)
    with partner_client(node, identity, partner, transport) as client:
        head = client.head() if witness_log else None
        if head is not None:
            statements = head.get("key_statements") or []
            if statements:
                client.partner = partner = accept_key_statements(node, partner_id, statements)
        with exclusive(node) as conn:  # what was refused before may be accepted now
            retried = retry_held(conn, node, partner_id, actor=f"sync:{partner_id}")
            result.retried = len(retried.accepted)
            result.cursor = cursor(conn, partner_id)
        while max_pages is None or result.pages < max_pages:
            page = client.objects(result.cursor, limit)
            if not page.envelopes:
                # Only copies the partner dropped (expired agreements): move past them.
                if page.next is not None and page.next > result.cursor:
                    with exclusive(node) as conn:
                        _save_cursor(conn, partner_id, page.next)
                    result.cursor = page.next
                    if page.more:
                        continue
                break
            with exclusive(node) as conn:
                # Re-read under the lock: a concurrent sync may have moved the cursor.
                start = cursor(conn, partner_id)
                if start != result.cursor:
                    result.cursor = start
                    continue
                summary = receive_all(conn, node, page.envelopes, actor=f"sync:{partner_id}")
                # The cursor passes only what was accepted or is kept in quarantine.
                keep(conn, partner_id, summary.rejected, dt.datetime.now(dt.UTC))
                result.cursor = page.next if page.next is not None else result.cursor
                _save_cursor(conn, partner_id, result.cursor)
            result.pages += 1
            result.accepted += len(summary.accepted)
            result.duplicates += summary.duplicates
            result.rejected.update({digest(t): e.detail for t, e in summary.rejected})
            if not page.more:
                break
        if head is not None:
            result.witnessed_size = witness_partner(node, client, partner, str(head["token"]))
    return result


def sync_all(node: Node, *, transport_for: TransportFor | None = None) -> list[SyncResult]:
    """Sync from every partner; a partner that fails is reported, the others still run."""
    results = []
    for partner in known_partners(node):
        try:
            results.append(
                sync_partner(
                    node,
                    partner.partner_id,
                    transport=transport_for(partner) if transport_for else None,
                )
            )
        except BorderLinkError as error:
            failed = SyncResult(partner.partner_id)
            failed.rejected["sync"] = error.detail
            results.append(failed)
    return results


def accept_notice(node: Node, caller: Partner, token: str) -> int:
    """Check a signed "new data" notice from ``caller``; the sequence it announces."""
    verified = verify(token, {caller.partner_id: caller}, typ=NOTICE)
    p = verified.payload
    if p.get("recipient") != node.settings.node_id:
        raise IntegrityFailure("notice addressed to another node")
    try:
        issued = parse_timestamp(str(p.get("issued_at")))
    except ValueError as error:
        raise IntegrityFailure("notice without a valid time") from error
    check_fresh(
        issued, dt.datetime.now(dt.UTC), dt.timedelta(seconds=node.settings.exchange_clock_skew_s)
    )
    latest = p.get("latest")
    if not isinstance(latest, int):
        raise IntegrityFailure("notice without a sequence number")
    return latest


class SyncScheduler:
    """Runs syncs on notices: one at a time per partner; a notice during a sync queues one more."""

    def __init__(self, node: Node, transport_for: TransportFor | None = None) -> None:
        self.node = node
        self.transport_for = transport_for
        self.last: dict[str, SyncResult | str] = {}
        self._guard = threading.Lock()
        self._locks: dict[str, threading.Lock] = {}
        self._pending: set[str] = set()

    def run(self, partner_id: str) -> None:
        with self._guard:
            lock = self._locks.setdefault(partner_id, threading.Lock())
        while True:
            if not lock.acquire(blocking=False):
                with self._guard:
                    self._pending.add(partner_id)
                return
            try:
                with self._guard:
                    self._pending.discard(partner_id)
                self._sync(partner_id)
            finally:
                lock.release()
            with self._guard:
                if partner_id not in self._pending:
                    return

    def _sync(self, partner_id: str) -> None:
        try:
            transport = None
            if self.transport_for is not None:
                transport = self.transport_for(get_partner(self.node, partner_id))
            # Notice-driven syncs witness the partner's log too: a head and, when it grew, an
            # O(log n) consistency proof.
            self.last[partner_id] = sync_partner(self.node, partner_id, transport=transport)
        except BorderLinkError as error:  # kept for the node's status; the next poll retries
            self.last[partner_id] = error.detail


@dataclass
class OutboxPage:
    rows: list[Any]
    more: bool
    last_seq: int | None  # the last sequence number passed (served or dropped)


def released_page(
    node: Node,
    partner_id: str,
    *,
    after: int = 0,
    added_after: dt.datetime | None = None,
    limit: int = 100,
) -> OutboxPage:
    """The next copies this node serves ``partner_id``, in release order.

    Checked again at serving time, since agreements change after a release: a copy released
    under an agreement that has expired (or is gone) is dropped for good; one under an agreement
    that is suspended (or otherwise not in force) holds the stream back, it and everything after
    it, until the agreement is in force again. Revocations (tombstones) always go: those behind
    a held-back copy are served ahead of it (the cursor stays before the held copy, so the
    partner gets them again later, as duplicates it ignores).
    """
    query = _outbox(partner_id).where(released.c.seq > after).limit(limit + 1)
    if added_after is not None:
        query = query.where(released.c.added_at > added_after)
    today = dt.datetime.now(dt.UTC).date()
    with node.read() as conn:
        rows = conn.execute(query).all()
        agreements = {a.agreement_id: a for a in load_agreements(conn)}
        served: list[Any] = []
        last: int | None = None
        for row in rows[:limit]:
            agreement = agreements.get(row.agreement_id)
            if _tombstone(row):
                served.append(row)
            elif agreement is None or agreement.state == AgreementState.EXPIRED:
                pass  # dropped for good
            elif not in_force(agreement, today):
                ahead = conn.execute(
                    _outbox(partner_id).where(released.c.seq > row.seq).limit(limit)
                ).all()
                served += [r for r in ahead if _tombstone(r)][: limit - len(served)]
                return OutboxPage(served, False, last)
            else:
                served.append(row)
            last = row.seq
    return OutboxPage(served, len(rows) > limit, last)


def _outbox(partner_id: str) -> Select[Any]:
    return (
        select(
            released.c.seq,
            released.c.envelope,
            released.c.stix,
            released.c.added_at,
            released.c.agreement_id,
        )
        .where(released.c.partner_id == partner_id)
        .order_by(released.c.seq)
    )


def _tombstone(row: Any) -> bool:
    return bool(row.stix.get("revoked"))


def released_versions(node: Node, partner_id: str, record_id: str) -> list[Any]:
    """Every version of one record released to ``partner_id`` that may still flow."""
    today = dt.datetime.now(dt.UTC).date()
    with node.read() as conn:
        rows = conn.execute(
            select(
                released.c.seq,
                released.c.envelope,
                released.c.stix,
                released.c.added_at,
                released.c.agreement_id,
            )
            .where(released.c.partner_id == partner_id, released.c.record_id == record_id)
            .order_by(released.c.seq)
        ).all()
        agreements = {a.agreement_id: a for a in load_agreements(conn)}
    return [
        r
        for r in rows
        if _tombstone(r)
        or (r.agreement_id in agreements and in_force(agreements[r.agreement_id], today))
    ]
