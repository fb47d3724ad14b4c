"""Watchlists in the node: load a list file (streamed in chunks), list, show, diff.

Reloading a list updates it: new entries are added, changed ones replaced (by their content's
digest), and entries no longer in the file are *ended* (``ended_at``), never deleted, so a past
hit still names what it matched. Ending happens only after the whole file was read: a load that
fails half-way ends nothing, and running it again finishes the job. Records that cannot be
entries come back in the summary with their record number, field and reason; the rest loads.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from borderlink.errors import InvalidInput, NotFound
from borderlink.screening import Entry, clean_identifier
from borderlink.screening.entries import Rejected
from borderlink.screening.readers import READERS, read_mapped_csv
from borderlink.services.accounts import audit
from borderlink.services.accounts.access import Permission, Principal, require
from borderlink.services.node import Node
from borderlink.store.screening_tables import watchlist_entries, watchlists

CHUNK = 5_000
Progress = Callable[[int], None]  # entries read so far


@dataclass
class LoadSummary:
    list_name: str
    read: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    ended: int = 0
    duplicates: int = 0
    rejected: list[Rejected] = field(default_factory=list)


@dataclass(frozen=True)
class ListDiff:
    list_name: str
    added: tuple[str, ...]
    changed: tuple[str, ...]
    removed: tuple[str, ...]


def digest(entry: Entry) -> str:
    """The content of an entry (everything but its list), as a stable hash."""
    content = entry_row(entry)
    content.pop("list_name")
    text = json.dumps(content, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def entry_row(entry: Entry) -> dict[str, Any]:
    return {
        "list_name": entry.list_name,
        "entry_id": entry.entry_id,
        "schema": entry.schema,
        "names": list(entry.names),
        "identifiers": [i.key for i in entry.identifiers],
        "countries": list(entry.countries),
        "programmes": list(entry.programmes),
        "reason": entry.reason,
        "valid_from": entry.valid_from,
        "valid_until": entry.valid_until,
    }


def entry_of(row: Any) -> Entry:
    identifiers = (clean_identifier(*k.split(":", 1)) for k in row.identifiers)
    return Entry(
        list_name=row.list_name,
        entry_id=row.entry_id,
        names=tuple(row.names),
        schema=row.schema,
        identifiers=tuple(i for i in identifiers if i is not None),
        countries=tuple(row.countries),
        programmes=tuple(row.programmes),
        reason=row.reason,
        valid_from=row.valid_from,
        valid_until=row.valid_until,
    )


def read_file(
    path: Path, fmt: str, list_name: str, mapping: Mapping[str, str] | None = None
) -> Iterator[Entry | Rejected]:
    if fmt not in READERS:
        raise InvalidInput(
            f"unknown watchlist format {fmt!r} ({', '.join(READERS)})", field="format"
        )
    if not path.is_file():
        raise NotFound(f"no file {path}")
    with path.open(encoding="utf-8", errors="replace", newline="") as stream:
        if fmt == "csv":
            yield from read_mapped_csv(stream, list_name, mapping)
        else:
            yield from READERS[fmt](stream, list_name)


def _chunks(items: Iterable[Entry | Rejected], size: int) -> Iterator[list[Entry | Rejected]]:
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


def _store_chunk(
    conn: Connection, entries: list[Entry], summary: LoadSummary, now: dt.datetime
) -> None:
    ids = [e.entry_id for e in entries]
    stored = {
        r.entry_id: (r.digest, r.ended_at)
        for r in conn.execute(
            select(
                watchlist_entries.c.entry_id,
                watchlist_entries.c.digest,
                watchlist_entries.c.ended_at,
            ).where(
                watchlist_entries.c.list_name == summary.list_name,
                watchlist_entries.c.entry_id.in_(ids),
            )
        )
    }
    new_rows = []
    for entry in entries:
        values = {**entry_row(entry), "digest": digest(entry), "updated_at": now, "ended_at": None}
        before = stored.get(entry.entry_id)
        if before is None:
            new_rows.append({**values, "first_loaded_at": now})
            summary.added += 1
        elif before == (values["digest"], None):
            summary.unchanged += 1
        else:
            conn.execute(
                update(watchlist_entries)
                .where(
                    watchlist_entries.c.list_name == entry.list_name,
                    watchlist_entries.c.entry_id == entry.entry_id,
                )
                .values(**values)
            )
            summary.updated += 1
    if new_rows:
        conn.execute(insert(watchlist_entries), new_rows)


def _end_missing(conn: Connection, list_name: str, seen: set[str], now: dt.datetime) -> int:
    active = conn.execute(
        select(watchlist_entries.c.entry_id).where(
            watchlist_entries.c.list_name == list_name, watchlist_entries.c.ended_at.is_(None)
        )
    ).scalars()
    gone = [i for i in active if i not in seen]
    for start in range(0, len(gone), CHUNK):
        conn.execute(
            update(watchlist_entries)
            .where(
                watchlist_entries.c.list_name == list_name,
                watchlist_entries.c.entry_id.in_(gone[start : start + CHUNK]),
            )
            .values(ended_at=now, updated_at=now)
        )
    return len(gone)


def load_watchlist(
    node: Node,
    principal: Principal,
    path: Path,
    fmt: str,
    list_name: str | None = None,
    *,
    mapping: Mapping[str, str] | None = None,
    progress: Progress | None = None,
) -> LoadSummary:
    """Load (or reload) the list in ``path``; each chunk commits on its own; audited."""
    require(principal, Permission.WATCHLISTS_MANAGE)
    name = list_name or path.stem
    if not 0 < len(name) <= 64:
        raise InvalidInput("a list name has 1 to 64 characters", field="list")
    summary = LoadSummary(name)
    seen: set[str] = set()
    now = dt.datetime.now(dt.UTC)
    for chunk in _chunks(read_file(path, fmt, name, mapping), CHUNK):
        entries = []
        for item in chunk:
            if isinstance(item, Rejected):
                summary.rejected.append(item)
            elif item.entry_id in seen:
                summary.duplicates += 1
            else:
                seen.add(item.entry_id)
                entries.append(item)
        summary.read += len(chunk)
        with node.transaction() as conn:
            _store_chunk(conn, entries, summary, now)
        if progress:
            progress(summary.read)
    with node.transaction() as conn:
        summary.ended = _end_missing(conn, name, seen, now)
        _record_list(conn, principal, summary, fmt, path, len(seen), now)
    return summary


def _record_list(
    conn: Connection,
    principal: Principal,
    summary: LoadSummary,
    fmt: str,
    path: Path,
    in_force: int,
    now: dt.datetime,
) -> None:
    stored = conn.execute(
        select(watchlists.c.loads).where(watchlists.c.name == summary.list_name)
    ).scalar()
    values = {
        "format": fmt,
        "source": path.name,
        "entries": in_force,
        "loaded_by": principal.username,
        "loaded_at": now,
    }
    if stored is None:
        conn.execute(insert(watchlists).values(name=summary.list_name, loads=1, **values))
    else:
        conn.execute(
            update(watchlists)
            .where(watchlists.c.name == summary.list_name)
            .values(loads=stored + 1, **values)
        )
    audit.record(
        conn,
        actor=principal.username,
        action="watchlist.load",
        object_type="watchlist",
        object_id=summary.list_name,
        details={
            "file": path.name,
            "format": fmt,
            "read": summary.read,
            "added": summary.added,
            "updated": summary.updated,
            "unchanged": summary.unchanged,
            "ended": summary.ended,
            "duplicates": summary.duplicates,
            "rejected": len(summary.rejected),
        },
    )


def list_watchlists(node: Node, principal: Principal) -> list[dict[str, Any]]:
    require(principal, Permission.NOMINAL_READ)
    with node.read() as conn:
        ended: dict[str, int] = {
            name: count
            for name, count in conn.execute(
                select(watchlist_entries.c.list_name, func.count())
                .where(watchlist_entries.c.ended_at.is_not(None))
                .group_by(watchlist_entries.c.list_name)
            )
        }
        rows = conn.execute(select(watchlists).order_by(watchlists.c.name)).all()
    return [{**r._asdict(), "ended": ended.get(r.name, 0)} for r in rows]


def show_entry(node: Node, principal: Principal, list_name: str, entry_id: str) -> dict[str, Any]:
    """One entry with its names, identifiers, programmes and whether it is still in force."""
    require(principal, Permission.NOMINAL_READ)
    with node.read() as conn:
        row = conn.execute(
            select(watchlist_entries).where(
                watchlist_entries.c.list_name == list_name, watchlist_entries.c.entry_id == entry_id
            )
        ).first()
    if row is None:
        raise NotFound(f"no entry {entry_id!r} on watchlist {list_name!r}")
    return row._asdict()


def active_entries(node: Node, list_name: str | None = None) -> Iterator[Entry]:
    """The entries in force (of one list, or all), for screening; read in one pass."""
    query = select(watchlist_entries).where(watchlist_entries.c.ended_at.is_(None))
    if list_name is not None:
        query = query.where(watchlist_entries.c.list_name == list_name)
    with node.read() as conn:
        for row in conn.execute(
            query.order_by(watchlist_entries.c.list_name, watchlist_entries.c.entry_id)
        ):
            yield entry_of(row)


def diff_watchlist(
    node: Node,
    principal: Principal,
    path: Path,
    fmt: str,
    list_name: str | None = None,
    *,
    mapping: Mapping[str, str] | None = None,
) -> ListDiff:
    """What loading ``path`` would change, without loading it."""
    require(principal, Permission.WATCHLISTS_MANAGE)
    name = list_name or path.stem
    with node.read() as conn:
        stored = dict(
            conn.execute(
                select(watchlist_entries.c.entry_id, watchlist_entries.c.digest).where(
                    watchlist_entries.c.list_name == name, watchlist_entries.c.ended_at.is_(None)
                )
            ).all()
        )
    added: list[str] = []
    changed: list[str] = []
    seen: set[str] = set()
    for item in read_file(path, fmt, name, mapping):
        if isinstance(item, Rejected) or item.entry_id in seen:
            continue
        seen.add(item.entry_id)
        before = stored.get(item.entry_id)
        if before is None:
            added.append(item.entry_id)
        elif before != digest(item):
            changed.append(item.entry_id)
    removed = sorted(set(stored) - seen)
    return ListDiff(name, tuple(added), tuple(changed), tuple(removed))
