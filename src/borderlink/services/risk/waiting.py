"""The ``waiting`` table kept in step: every write that can change whether a declaration waits
for an officer (a score, an outcome, an amendment) recomputes its declarations' rows here, in
the writer's transaction, from what is stored: the newest score red or yellow, no outcome,
not cancelled.

The rows come from one set-based ``INSERT ... SELECT`` per chunk of ids, the same rule the
migration ``0021_waiting`` filled the table with (:func:`waiting_rows`)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from types import MappingProxyType
from typing import Any

from sqlalchemy import (
    Connection,
    Select,
    String,
    and_,
    any_,
    bindparam,
    delete,
    insert,
    or_,
    select,
)
from sqlalchemy.dialects import postgresql

from borderlink.store.risk_tables import scores, waiting
from borderlink.store.tables import declaration_keys, declarations, outcomes

CHUNK = 500  # ids a statement on SQLite (well under its bound parameters)
WAITING = ("red", "yellow")
COLUMNS = ("declaration_id", "declared_on", "office_id", "channel", "risk", "model_version")


def waiting_rows(dialect: str) -> Select[Any]:
    """The rows ``waiting`` should hold. Of two scores at the same
    newest time, the one of the greater model version (the table keeps one row a declaration)."""
    newer = scores.alias("newer")
    latest = ~(
        select(newer.c.declaration_id)
        .where(
            newer.c.declaration_id == scores.c.declaration_id,
            or_(
                newer.c.scored_at > scores.c.scored_at,
                and_(
                    newer.c.scored_at == scores.c.scored_at,
                    newer.c.model_version > scores.c.model_version,
                ),
            ),
        )
        .exists()
    )
    inspected = select(outcomes.c.declaration_id).where(
        outcomes.c.declaration_id == scores.c.declaration_id
    )
    if dialect == "postgresql":  # each declaration found in its one month's partition
        found = scores.join(
            declaration_keys, declaration_keys.c.declaration_id == scores.c.declaration_id
        ).join(
            declarations,
            and_(
                declarations.c.declaration_id == declaration_keys.c.declaration_id,
                declarations.c.declared_on == declaration_keys.c.declared_on,
            ),
        )
    else:
        found = scores.join(declarations, declarations.c.declaration_id == scores.c.declaration_id)
    query = (
        select(
            scores.c.declaration_id,
            declarations.c.declared_on,
            declarations.c.office_id,
            scores.c.channel,
            scores.c.risk,
            scores.c.model_version,
        )
        .select_from(found)
        .where(
            scores.c.channel.in_(WAITING),
            latest,
            ~inspected.exists(),
            declarations.c.status.is_(None),  # a cancelled declaration is kept, not queued
        )
    )
    return query


def _among(column: Any, dialect: str) -> Any:
    """``column IN`` the execution's parameter ``ids``: on PostgreSQL one array (``= ANY``),
    which costs the client nothing per id, where an expanded ``IN`` list is rendered id by id."""
    if dialect == "postgresql":
        return column == any_(bindparam("ids", type_=postgresql.ARRAY(String)))
    return column.in_(bindparam("ids", expanding=True))


def _statements(dialect: str) -> tuple[Any, Any, Any]:
    """This dialect's delete, refill and delete-returning-the-ids of the ids in ``ids``."""
    drop = delete(waiting).where(_among(waiting.c.declaration_id, dialect))
    rows = waiting_rows(dialect).where(_among(scores.c.declaration_id, dialect))
    fill = insert(waiting).from_select(COLUMNS, rows)
    return drop, fill, drop.returning(waiting.c.declaration_id)


# Built once (a score on demand refreshes one id: building these cost more than running them).
STATEMENTS = MappingProxyType({d: _statements(d) for d in ("sqlite", "postgresql")})


def refresh(conn: Connection, ids: Iterable[str]) -> None:
    """Recompute ``waiting`` for these declarations (after their scores, outcome or header
    changed), in the caller's transaction."""
    dialect = conn.dialect.name
    drop, fill, _ = STATEMENTS[dialect]
    for chunk in _chunks(sorted(set(ids)), dialect):
        conn.execute(drop, {"ids": chunk})
        conn.execute(fill, {"ids": chunk})


def scored(conn: Connection, ids: Sequence[str], channels: Sequence[str]) -> None:
    """These declarations were just scored, each into ``channels``: recompute ``waiting`` for
    the flagged ones, and for the others only where they were waiting. A new green or blue
    score cannot make a declaration wait, so most of a batch costs one keyed delete, not the
    recomputation (its newest-score and outcome lookups)."""
    dialect = conn.dialect.name
    dropped = STATEMENTS[dialect][2]
    flagged = {i for i, c in zip(ids, channels, strict=True) if c in WAITING}
    others = sorted(set(ids) - flagged)
    # Were waiting (the score may not have been stored: one under that model was already):
    # recomputed with the flagged, so what still waits comes back.
    was = [
        row[0]
        for chunk in _chunks(others, dialect)
        for row in conn.execute(dropped, {"ids": chunk})
    ]
    refresh(conn, [*flagged, *was])


def inspected(conn: Connection, ids: Iterable[str]) -> None:
    """These declarations have an outcome now: none of them waits."""
    dialect = conn.dialect.name
    drop = STATEMENTS[dialect][0]
    for chunk in _chunks(sorted(set(ids)), dialect):
        conn.execute(drop, {"ids": chunk})


def _chunks(ids: list[str], dialect: str) -> Iterator[list[str]]:
    size = len(ids) if dialect == "postgresql" else CHUNK  # one array, or bounded IN lists
    for start in range(0, len(ids), max(size, 1)):
        yield ids[start : start + size]
