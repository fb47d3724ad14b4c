"""What this node serves a partner from its outbox (``released``), checked again at serving time.

Agreements change after a release, so each page is filtered as it is served: a copy released
under an agreement that expired is dropped for good, one under an agreement not in force holds
the stream back, and revocations always go. TAXII (:mod:`.taxii`) and the pushes in notices
(:mod:`.push`) serve the same pages.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, select

from borderlink.cooperation.agreements import in_force
from borderlink.model.cooperation import AgreementState
from borderlink.services.cooperation.agreements import load_agreements
from borderlink.services.exchange.added import straddling
from borderlink.services.node import Node
from borderlink.store.cooperation_tables import log_leaves, released


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
    light: bool = False,
) -> OutboxPage:
    """The next copies this node serves ``partner_id``, in release order.

    Checked again at serving time, since agreements change after a release: a copy released
    under an agreement that has expired (or is gone) is dropped for good; one under an agreement
    that is suspended (or otherwise not in force) holds the stream back, it and everything after
    it, until the agreement is in force again. Revocations (tombstones) always go: those behind
    a held-back copy are served ahead of it (the cursor stays before the held copy, so the
    partner gets them again later, as duplicates it ignores).

    ``added_after``: the copies with an object added after that instant, the one it falls within
    included (its later parts are after it), found from the index on (partner, added_at, seq):
    each page costs its own size, not the collection's up to it.

    ``light``: the rows carry ``revoked`` instead of the STIX object (read in the database,
    not parsed here): for a reader of the envelopes only, each of which carries its object.
    """
    query = _outbox(partner_id, light=light).limit(limit + 1)
    if after:
        query = query.where(released.c.seq > after)
    today = dt.datetime.now(dt.UTC).date()
    with node.read() as conn:
        if added_after is not None:
            # added_at grows with seq for a partner (added.stamp): the same order, by instant.
            mine = released.c.partner_id == partner_id
            start = straddling(conn, released.c.added_at, mine, added_after)
            query = (
                query.where(released.c.added_at >= start)
                .order_by(None)
                .order_by(released.c.added_at, released.c.seq)
            )
        rows = conn.execute(query).all()
        agreements = {a.agreement_id: a for a in load_agreements(conn)}
        served: list[Any] = []
        last: int | None = None
        for row in rows[:limit]:
            agreement = agreements.get(row.agreement_id)
            if _tombstone(row, light):
                served.append(row)
            elif agreement is None or agreement.state == AgreementState.EXPIRED:
                pass  # dropped for good
            elif not in_force(agreement, today):
                ahead = conn.execute(
                    _outbox(partner_id, light=light).where(released.c.seq > row.seq).limit(limit)
                ).all()
                served += [r for r in ahead if _tombstone(r, light)][: limit - len(served)]
                return OutboxPage(served, False, last)
            else:
                served.append(row)
            last = row.seq
    return OutboxPage(served, len(rows) > limit, last)


def _outbox(partner_id: str, *, light: bool = False) -> Select[Any]:
    stix = released.c.stix["revoked"].as_boolean().label("revoked") if light else released.c.stix
    return (
        select(
            released.c.seq,
            released.c.record_id,
            released.c.envelope,
            stix,
            released.c.added_at,
            released.c.agreement_id,
        )
        .where(released.c.partner_id == partner_id)
        .order_by(released.c.seq)
    )


def _tombstone(row: Any, light: bool = False) -> bool:
    return bool(row.revoked) if light else bool(row.stix.get("revoked"))


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


SENT = ("sent", "revoked")  # the log entries of an envelope this node sealed for a partner


def sent_digests(node: Node, partner_id: str, record_ids: list[str]) -> set[str]:
    """The digests of the envelopes about ``record_ids`` that this node's log records as sealed
    for ``partner_id``: what a page signature may vouch for (:mod:`borderlink.exchange.page`)."""
    ids = list(set(record_ids))
    if not ids:
        return set()
    entry = log_leaves.c.entry
    with node.read() as conn:
        rows = conn.execute(
            select(
                entry["kind"].as_string(), entry["peer"].as_string(), entry["digest"].as_string()
            ).where(log_leaves.c.record_id.in_(ids))
        )
        return {d for kind, peer, d in rows if kind in SENT and peer == partner_id}
