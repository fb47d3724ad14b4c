"""Pulling from partners: resumable sync of a partner's collection, notices, the scheduler.

A sync reads the partner's TAXII collection for this node page by page from the stored cursor;
each page's records and the new cursor commit together, so a node killed mid-sync resumes where
its last page ended, with no loss and no duplicate. Each page comes with the partner's signature
over its envelopes' digests (:mod:`borderlink.exchange.page`): one signature verified per page,
a hash per envelope; what the page does not vouch for is verified alone. First it fetches the
partner's signed tree head with its key statements (a key rotation is applied before what the
new key signed is checked); at the end it witnesses that head (consistent with the one held),
on every sync.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

import httpx
from sqlalchemy import Connection, insert, select, update

from borderlink.errors import BorderLinkError, IntegrityFailure
from borderlink.exchange.client import Page
from borderlink.exchange.envelope import NOTICE, check_fresh, digest, verify
from borderlink.exchange.identity import Partner
from borderlink.exchange.page import PageManifest, open_page
from borderlink.exchange.stix import parse_timestamp
from borderlink.services.cooperation.partners import get_partner, known_partners, node_identity
from borderlink.services.cooperation.receiving import receive_all
from borderlink.services.cooperation.records import TransportFor
from borderlink.services.exchange.calls import partner_client
from borderlink.services.exchange.keys import accept_key_statements
from borderlink.services.exchange.log import exclusive, witness_partner
from borderlink.services.exchange.quarantine import keep, retry_held
from borderlink.services.node import Node
from borderlink.store.cooperation_tables import sync_cursors


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


def save_cursor(conn: Connection, partner_id: str, seq: int) -> None:
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
    """Pull what ``partner_id`` released to this node since the last sync.

    The next page is fetched while this one is being taken (a thread waits on the partner
    meanwhile), so the partner's serving and the network overlap this node's checks and writes.
    """
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
        with ThreadPoolExecutor(max_workers=1) as fetcher:
            _pull(
                node,
                result,
                lambda after: fetcher.submit(client.objects, after, limit),
                lambda page: signed_page(node, client.partner, page),
                max_pages,
            )
        if head is not None:
            result.witnessed_size = witness_partner(node, client, partner, str(head["token"]))
    return result


def signed_page(node: Node, partner: Partner, page: Page) -> PageManifest | None:
    """The verified signature of ``page`` (:mod:`borderlink.exchange.page`); None from a partner
    that does not sign its pages (each envelope is then verified alone)."""
    if page.signature is None:
        return None
    manifest = open_page(
        page.signature,
        partner,
        me=node.settings.node_id,
        after=page.after,
        count=len(page.envelopes),
        now=dt.datetime.now(dt.UTC),
        skew=dt.timedelta(seconds=node.settings.exchange_clock_skew_s),
    )
    if (manifest.next, manifest.more) != (page.next, page.more):
        raise IntegrityFailure("the page's signature and its paging disagree: the page is refused")
    return manifest


def _pull(
    node: Node,
    result: SyncResult,
    fetch: Callable[[int], Future[Page]],
    check: Callable[[Page], PageManifest | None],
    max_pages: int | None,
) -> None:
    """Take pages from ``result.cursor`` on, each fetched while the one before is taken."""
    partner_id = result.partner_id
    pending = fetch(result.cursor)
    while max_pages is None or result.pages < max_pages:
        page = pending.result()
        manifest = check(page)  # a page refused whole stops the sync before the cursor moves
        if not page.envelopes:
            # Only copies the partner dropped (expired agreements): move past them.
            if page.next is not None and page.next > result.cursor:
                with exclusive(node) as conn:
                    save_cursor(conn, partner_id, page.next)
                result.cursor = page.next
                if page.more:
                    pending = fetch(result.cursor)
                    continue
            return
        ahead = page.next if page.next is not None else result.cursor
        last = not page.more or (max_pages is not None and result.pages + 1 >= max_pages)
        if not last:
            pending = fetch(ahead)  # while this page is taken
        with exclusive(node) as conn:
            # Re-read under the lock: a concurrent sync may have moved the cursor.
            start = cursor(conn, partner_id)
            if start != result.cursor:
                result.cursor = start
                pending = fetch(start)
                continue
            summary = receive_all(
                conn, node, page.envelopes, actor=f"sync:{partner_id}", manifest=manifest
            )
            # The cursor passes only what was accepted or is kept in quarantine.
            keep(conn, partner_id, summary.rejected, dt.datetime.now(dt.UTC))
            result.cursor = ahead
            save_cursor(conn, partner_id, result.cursor)
        result.pages += 1
        result.accepted += len(summary.accepted)
        result.duplicates += summary.duplicates
        result.rejected.update({digest(t): e.detail for t, e in summary.rejected})
        if last:
            return


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

    def run(self, partner_id: str, push: Callable[[], SyncResult | None] | None = None) -> None:
        """Sync from ``partner_id``; ``push``: first take what its notice carried (a pull
        follows when that does not do). A notice that finds a sync running leaves one pull
        pending: what it carried is pulled then."""
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
                self._sync(partner_id, push)
            finally:
                lock.release()
            push = None
            with self._guard:
                if partner_id not in self._pending:
                    return

    def _sync(self, partner_id: str, push: Callable[[], SyncResult | None] | None) -> None:
        try:
            pushed = push() if push is not None else None
        except BorderLinkError:  # the pull below checks it all again, and reports what fails
            pushed = None
        if pushed is not None:
            self.last[partner_id] = pushed
            return
        try:
            transport = None
            if self.transport_for is not None:
                transport = self.transport_for(get_partner(self.node, partner_id))
            # Notice-driven syncs witness the partner's log too: a head and, when it grew, an
            # O(log n) consistency proof.
            self.last[partner_id] = sync_partner(self.node, partner_id, transport=transport)
        except BorderLinkError as error:  # kept for the node's status; the next poll retries
            self.last[partner_id] = error.detail
