"""Screening hits: list them, decide them (confirm or dismiss, reused until the entry changes),
and bring them into scoring as risk reasons.

In scoring, a declaration whose party (or conveyance) has a hit that is open or confirmed, on
an entry still in force, goes red with the hit as a reason naming the list and the entry. A
dismissed hit raises nothing while its entry stays as it was decided on. The reason is about a
party (``"reason": "screening"``), so readers without ``nominal:read`` see it withheld
(:func:`borderlink.services.declarations.redaction.redact_reasons`).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping, Sequence
from types import MappingProxyType
from typing import Any, Literal

import polars as pl
from sqlalchemy import Connection, bindparam, select, update

from borderlink.errors import InvalidInput, NotFound
from borderlink.services.accounts import audit
from borderlink.services.accounts.access import Permission, Principal, require
from borderlink.services.node import Node
from borderlink.services.screening.run import CONVEYANCE
from borderlink.store.screening_tables import screening_hits, watchlist_entries

Decision = Literal["confirm", "dismiss"]
STATUS_OF = MappingProxyType({"confirm": "confirmed", "dismiss": "dismissed"})
PARTY_COLUMNS = ("importer_id", "exporter_id", "declarant_id", "carrier_id")
SCREENING_REASON = "screening"  # the reason family, withheld from readers without nominal:read


def list_hits(
    node: Node, principal: Principal, status: str | None = None, limit: int = 200
) -> list[dict[str, Any]]:
    require(principal, Permission.SCREENING_REVIEW)
    query = (
        select(screening_hits)
        .order_by(screening_hits.c.score.desc(), screening_hits.c.hit_id)
        .limit(limit)
    )
    if status is not None:
        query = query.where(screening_hits.c.status == status)
    with node.read() as conn:
        return [r._asdict() for r in conn.execute(query)]


def decide_hit(
    node: Node, principal: Principal, hit_id: int, decision: Decision, reason: str
) -> dict[str, Any]:
    """Confirm or dismiss a hit; the decision holds until the entry changes. Audited."""
    require(principal, Permission.SCREENING_REVIEW)
    if decision not in STATUS_OF:
        raise InvalidInput(f"decision {decision!r}: confirm or dismiss", field="decision")
    if not reason.strip():
        raise InvalidInput("a decision needs a reason", field="reason")
    now = dt.datetime.now(dt.UTC)
    with node.transaction() as conn:
        row = conn.execute(select(screening_hits).where(screening_hits.c.hit_id == hit_id)).first()
        if row is None:
            raise NotFound(f"no screening hit {hit_id}")
        values = {
            "status": STATUS_OF[decision],
            "decided_by": principal.username,
            "decided_at": now,
            "decision_reason": reason.strip(),
            "decided_digest": row.entry_digest,
        }
        conn.execute(
            update(screening_hits).where(screening_hits.c.hit_id == hit_id).values(**values)
        )
        audit.record(
            conn,
            actor=principal.username,
            action=f"screening.{decision}",
            object_type="screening_hit",
            object_id=str(hit_id),
            reason=reason.strip(),
            details={"party": row.party_id, "list": row.list_name, "entry": row.entry_id},
        )
        return {**row._asdict(), **values}


# Built once: every score reads it, and SQLAlchemy keeps a statement's cache key on it (one
# built per call cost more to build and key than to run).
RAISING_HITS = (
    select(screening_hits)
    .select_from(
        screening_hits.join(
            watchlist_entries,
            (watchlist_entries.c.list_name == screening_hits.c.list_name)
            & (watchlist_entries.c.entry_id == screening_hits.c.entry_id),
        )
    )
    .where(
        screening_hits.c.party_id.in_(bindparam("parties", expanding=True)),
        screening_hits.c.status.in_(("open", "confirmed")),
        watchlist_entries.c.ended_at.is_(None),
    )
    .order_by(screening_hits.c.score.desc())
)


def raising_hits(conn: Connection, party_ids: Iterable[str]) -> dict[str, list[Any]]:
    """Party id -> its hits that raise risk: open or confirmed, on an entry in force."""
    ids = sorted(set(party_ids))
    if not ids:
        return {}
    found: dict[str, list[Any]] = {}
    for start in range(0, len(ids), 1_000):
        rows = conn.execute(RAISING_HITS, {"parties": ids[start : start + 1_000]})
        for row in rows:
            found.setdefault(row.party_id, []).append(row)
    return found


def _declaration_parties(items: pl.DataFrame) -> dict[str, set[tuple[str, str]]]:
    """Declaration id -> its (role, party id) pairs, the conveyance's among them."""
    columns = [c for c in (*PARTY_COLUMNS, "conveyance") if c in items.columns]
    # Column lists, not a query over the frame: a declaration scored on demand has a few
    # items, and a Polars query's fixed cost (its thread pool woken) was most of this step.
    ids = items.get_column("declaration_id").to_list()
    return _parties_of(ids, {c: items.get_column(c).to_list() for c in columns})


def _parties_of(ids: list[Any], values: dict[str, list[Any]]) -> dict[str, set[tuple[str, str]]]:
    out: dict[str, set[tuple[str, str]]] = {}
    for column, found_values in values.items():
        role = column.removesuffix("_id")
        prefix = CONVEYANCE if column == "conveyance" else ""
        for declaration_id, value in zip(ids, found_values, strict=True):
            found = out.setdefault(str(declaration_id), set())
            if value:
                found.add((role, f"{prefix}{value}"))
    return out


def _reason(role: str, hit: Any) -> dict[str, Any]:
    # The words name the role, not the party's id: a reader without nominal:read then gets
    # the whole text withheld, not just the id masked inside the list entry's name.
    return {
        "source": "screening",
        "reason": SCREENING_REASON,
        "hit": hit.hit_id,
        "text": f"{role}: {hit.status} screening hit, {hit.explanation}",
    }


def apply_screening(node: Node, scored: pl.DataFrame, items: pl.DataFrame) -> pl.DataFrame:
    """``scored`` (one row per declaration) with every declaration whose party has a raising hit
    sent red (selection ``screen``), the hits first in its reasons."""
    if scored.is_empty() or items.is_empty():
        return scored
    ids = scored["declaration_id"].cast(pl.String).to_list()
    reasons = scored["reasons"].to_list()
    channels = scored["channel"].to_list()
    selections = scored["selection"].to_list()
    if not _screen(node, _declaration_parties(items), ids, reasons, channels, selections):
        return scored
    return scored.with_columns(
        pl.Series("reasons", reasons, dtype=pl.String),
        pl.Series("channel", channels, dtype=pl.String),
        pl.Series("selection", selections, dtype=pl.String),
    )


def apply_screening_rows(
    node: Node, scored: Sequence[dict[str, Any]], items: Sequence[Mapping[str, Any]]
) -> None:
    """:func:`apply_screening` on a few scored declarations and their items held as dicts (the
    one-row path), ``scored`` changed in place."""
    if not scored or not items:
        return
    columns = [c for c in (*PARTY_COLUMNS, "conveyance") if c in items[0]]
    parties = _parties_of(
        [i["declaration_id"] for i in items], {c: [i[c] for i in items] for c in columns}
    )
    ids = [str(r["declaration_id"]) for r in scored]
    reasons = [r["reasons"] for r in scored]
    channels = [r["channel"] for r in scored]
    selections = [r["selection"] for r in scored]
    if _screen(node, parties, ids, reasons, channels, selections):
        for r, why, c, s in zip(scored, reasons, channels, selections, strict=True):
            r["reasons"], r["channel"], r["selection"] = why, c, s


def _screen(
    node: Node,
    by_declaration: dict[str, set[tuple[str, str]]],
    ids: list[str],
    reasons: list[Any],
    channels: list[Any],
    selections: list[Any],
) -> bool:
    """The screening step over the columns as lists, changed in place; whether any changed."""
    with node.read() as conn:
        hits = raising_hits(conn, (p for pairs in by_declaration.values() for _, p in pairs))
    if not hits:
        return False
    changed = False
    for row, declaration_id in enumerate(ids):
        found = [
            _reason(role, hit)
            for role, party in sorted(by_declaration.get(declaration_id, ()))
            for hit in hits.get(party, [])
        ]
        if not found:
            continue
        earlier = json.loads(reasons[row]) if reasons[row] else []
        reasons[row] = json.dumps(found + earlier, ensure_ascii=False)
        channels[row], selections[row] = "red", "screen"  # selection is 8 characters wide
        changed = True
    return changed
