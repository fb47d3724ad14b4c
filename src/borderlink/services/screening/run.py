"""``screening run``: every party (and every conveyance given by IMO number) of the stored
declarations screened against the watchlists in force; each hit stored, explained.

A party is screened again when a list changed since (a load). A hit keeps its key (party,
list, entry): screening again refreshes its score and explanation, and an analyst's decision
on it holds while the entry is the one decided on (the same ``digest``); a changed entry opens
the hit again.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from borderlink import screening
from borderlink.screening import Hit, Index, Party
from borderlink.services.accounts import audit
from borderlink.services.accounts.access import Permission, Principal, require
from borderlink.services.node import Node
from borderlink.services.screening.watchlists import active_entries, digest
from borderlink.store.screening_tables import screened_parties, screening_hits, watchlists
from borderlink.store.tables import declarations, parties

CHUNK = 5_000
CONVEYANCE = "conveyance:"  # the party id of a conveyance screened by its IMO number
_EORI = re.compile(r"^[A-Z]{2}[A-Z0-9]{1,15}$")
Progress = Callable[[int], None]


@dataclass
class RunSummary:
    entries: int = 0
    parties: int = 0
    hits: int = 0
    new_hits: int = 0
    reopened: int = 0
    by_list: dict[str, int] = field(default_factory=dict)


def party_of(row: Any) -> Party:
    """A stored party as the matcher sees it: an id shaped like an EORI is one."""
    identifiers = []
    eori = screening.clean_identifier("eori", row.party_id) if _EORI.match(row.party_id) else None
    if eori is not None:
        identifiers.append(eori)
    countries = (row.country,) if row.country else ()
    return Party(row.party_id, row.name, None, tuple(identifiers), countries)


def conveyance_of(reference: str) -> Party | None:
    imo = screening.clean_identifier("imo", reference)
    if imo is None:
        return None
    return Party(f"{CONVEYANCE}{reference}", None, "Vessel", (imo,))


def _stale(latest: Any) -> Any:
    """The parties screened since the latest list load: those need nothing."""
    return select(screened_parties.c.party_id).where(screened_parties.c.screened_at >= latest)


def _party_pages(node: Node, party_ids: Sequence[str] | None, size: int) -> Iterator[list[Party]]:
    """The stored parties to screen, a page at a time by party id (keyset: each page is one
    short read, and a page screened meanwhile never shifts the next)."""
    with node.read() as conn:
        latest = conn.execute(select(func.max(watchlists.c.loaded_at))).scalar()
    columns = (parties.c.party_id, parties.c.name, parties.c.country)
    if party_ids is not None:
        ids = sorted(set(party_ids))
        for start in range(0, len(ids), size):
            with node.read() as conn:
                rows = conn.execute(
                    select(*columns)
                    .where(parties.c.party_id.in_(ids[start : start + size]))
                    .order_by(parties.c.party_id)
                ).all()
            if rows:
                yield [party_of(r) for r in rows]
        return
    after = ""
    while True:
        with node.read() as conn:
            rows = conn.execute(
                select(*columns)
                .where(parties.c.party_id > after, parties.c.party_id.not_in(_stale(latest)))
                .order_by(parties.c.party_id)
                .limit(size)
            ).all()
        if not rows:
            return
        yield [party_of(r) for r in rows]
        after = rows[-1].party_id


def _conveyance_pages(
    node: Node, party_ids: Sequence[str] | None, size: int
) -> Iterator[list[Party]]:
    """The conveyances given by IMO number, likewise a page of references at a time."""
    if party_ids is not None:
        refs = [p.removeprefix(CONVEYANCE) for p in party_ids if p.startswith(CONVEYANCE)]
        found = [c for c in map(conveyance_of, refs) if c is not None]
        for start in range(0, len(found), size):
            yield found[start : start + size]
        return
    after = ""
    while True:
        with node.read() as conn:
            latest = conn.execute(select(func.max(watchlists.c.loaded_at))).scalar()
            refs = list(
                conn.execute(
                    select(declarations.c.conveyance)
                    .distinct()
                    .where(declarations.c.conveyance > after)
                    .order_by(declarations.c.conveyance)
                    .limit(size)
                ).scalars()
            )
            if not refs:
                return
            found = [c for c in map(conveyance_of, refs) if c is not None]
            done = set(
                conn.execute(
                    _stale(latest).where(
                        screened_parties.c.party_id.in_([c.party_id for c in found])
                    )
                ).scalars()
            )
        todo = [c for c in found if c.party_id not in done]
        if todo:
            yield todo
        after = refs[-1]


def _to_screen(node: Node, party_ids: Sequence[str] | None, size: int) -> Iterator[list[Party]]:
    """Chunks of parties never screened, or screened before the latest list load, then the
    conveyances likewise; with ``party_ids``, exactly those (``conveyance:REF`` for a
    conveyance). Never more than a chunk in memory, and no read held open while screening."""
    yield from _party_pages(node, party_ids, size)
    yield from _conveyance_pages(node, party_ids, size)


def _details(hit: Hit) -> dict[str, Any]:
    return {
        "party_name": hit.party_name,
        "matched_name": hit.matched_name,
        "alias": hit.alias,
        "normalised": list(hit.normalised),
        "steps": list(hit.steps),
        "identifier": hit.identifier,
        "countries": list(hit.countries),
    }


def _stored(conn: Connection, hits: list[Hit]) -> dict[tuple[str, str, str], Any]:
    """The chunk's hits already stored, by key: one read per chunk, not one per hit."""
    ids = sorted({h.party_id for h in hits})
    found: dict[tuple[str, str, str], Any] = {}
    for start in range(0, len(ids), 1_000):
        rows = conn.execute(
            select(
                screening_hits.c.party_id,
                screening_hits.c.list_name,
                screening_hits.c.entry_id,
                screening_hits.c.status,
                screening_hits.c.decided_digest,
            ).where(screening_hits.c.party_id.in_(ids[start : start + 1_000]))
        )
        found.update({(r.party_id, r.list_name, r.entry_id): r for r in rows})
    return found


def _store_hits(
    conn: Connection,
    hits: list[Hit],
    digests: dict[tuple[str, str], str],
    now: dt.datetime,
    summary: RunSummary,
) -> None:
    stored = _stored(conn, hits)
    new_rows: list[dict[str, Any]] = []
    for hit in hits:
        key = (hit.party_id, hit.list_name, hit.entry_id)
        entry_digest = digests[(hit.list_name, hit.entry_id)]
        values = {
            "entry_digest": entry_digest,
            "score": hit.score,
            "method": hit.method[:32],
            "explanation": hit.explain(),
            "details": _details(hit),
            "last_seen_at": now,
        }
        before = stored.get(key)
        if before is None:
            new_rows.append(
                {"party_id": key[0], "list_name": key[1], "entry_id": key[2]}
                | {"status": "open", "first_seen_at": now, **values}
            )
            summary.new_hits += 1
        else:
            if before.status != "open" and before.decided_digest != entry_digest:
                values["status"] = "open"  # the entry changed since the decision
                summary.reopened += 1
            conn.execute(
                update(screening_hits)
                .where(
                    screening_hits.c.party_id == key[0],
                    screening_hits.c.list_name == key[1],
                    screening_hits.c.entry_id == key[2],
                )
                .values(**values)
            )
        summary.by_list[hit.list_name] = summary.by_list.get(hit.list_name, 0) + 1
        summary.hits += 1
    if new_rows:
        conn.execute(insert(screening_hits), new_rows)


def _mark_screened(conn: Connection, ids: list[str], now: dt.datetime) -> None:
    conn.execute(screened_parties.delete().where(screened_parties.c.party_id.in_(ids)))
    conn.execute(insert(screened_parties), [{"party_id": i, "screened_at": now} for i in ids])


def screen_parties(
    node: Node,
    principal: Principal,
    *,
    party_ids: Sequence[str] | None = None,
    threshold: float = screening.THRESHOLD,
    progress: Progress | None = None,
) -> RunSummary:
    """Screen the parties that need it (or ``party_ids``) against every list in force."""
    require(principal, Permission.WATCHLISTS_MANAGE)
    entries = list(active_entries(node))
    if not entries:
        return RunSummary()
    index: Index = screening.build_index(entries)
    digests = {(e.list_name, e.entry_id): digest(e) for e in entries}
    summary = RunSummary(entries=len(entries))
    for chunk in _to_screen(node, party_ids, CHUNK):
        now = dt.datetime.now(dt.UTC)
        found = [h for party in chunk for h in screening.screen(index, party, threshold)]
        with node.transaction() as conn:
            _store_hits(conn, found, digests, now, summary)
            _mark_screened(conn, [p.party_id for p in chunk], now)
        summary.parties += len(chunk)
        if progress:
            progress(summary.parties)
    with node.transaction() as conn:
        audit.record(
            conn,
            actor=principal.username,
            action="screening.run",
            object_type="screening",
            details={k: v for k, v in vars(summary).items()},
        )
    return summary
