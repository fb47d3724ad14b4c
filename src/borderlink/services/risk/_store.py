"""Reading declarations from the store for the risk use cases, and idempotent inserts.

Private to :mod:`borderlink.services.risk.score`, :mod:`borderlink.services.risk.profiles` and
:mod:`borderlink.services.coordination.routing`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import polars as pl
from sqlalchemy import ColumnElement, Select, bindparam, select, union

from borderlink.services.node import Node
from borderlink.store.risk_tables import scores
from borderlink.store.tables import declarations, goods_items, outcomes

DECLARATION_COLUMNS = tuple(
    c.name for c in declarations.c if c.name not in ("batch_id", "created_at")
)
ITEM_COLUMNS = tuple(
    c.name for c in goods_items.c if c.name not in ("declaration_id", "row_hash", "description")
)


# --- reading the store -------------------------------------------------------------------------


FETCH_ROWS = 2_000


@dataclass(frozen=True)
class ToScore:
    """Which declarations a scoring run takes: those ``version`` has not scored yet; unless
    ``history``, only new ones (see :func:`settled`), declared after ``after`` (the end of the
    model's training window: what it learned from is history)."""

    version: str
    history: bool = False
    after: dt.date | None = None


def settled() -> Any:
    """Ids of declarations already decided: inspected (an outcome is recorded) or released on
    scoring (a green or blue channel; blue ones are audited after clearance). They are
    history: never referred again, re-scored only when asked."""
    return union(
        select(outcomes.c.declaration_id),
        select(scores.c.declaration_id).where(scores.c.channel.in_(["green", "blue"])),
    )


def _to_score(which: ToScore) -> list[ColumnElement[bool]]:
    done = select(scores.c.declaration_id).where(scores.c.model_version == which.version)
    conditions: list[ColumnElement[bool]] = [declarations.c.declaration_id.not_in(done)]
    if not which.history:
        conditions.append(declarations.c.declaration_id.not_in(settled()))
        if which.after is not None:
            conditions.append(declarations.c.declared_on > which.after)
    return conditions


def settled_among(node: Node, ids: Sequence[str]) -> set[str]:
    """Those of ``ids`` already decided (:func:`settled`)."""
    found: set[str] = set()
    ids = list(ids)
    with node.read() as conn:
        for start in range(0, len(ids), 500):
            part = settled().subquery()
            query = select(part.c.declaration_id).where(
                part.c.declaration_id.in_(ids[start : start + 500])
            )
            found.update(conn.execute(query).scalars())
    return found


def _schema() -> dict[str, pl.DataType]:
    out: dict[str, pl.DataType] = {}
    for table, names in ((declarations, DECLARATION_COLUMNS), (goods_items, ITEM_COLUMNS)):
        for name in names:
            kind = table.c[name].type.python_type
            out[name] = {
                float: pl.Float64(),
                int: pl.Int64(),
                bool: pl.Boolean(),
                dt.date: pl.Date(),
            }.get(kind, pl.Utf8())
    out["illicit"] = pl.Boolean()
    out["severity"] = pl.Int64()
    return out


SCHEMA: Mapping[str, pl.DataType] = MappingProxyType(_schema())


def _items_query() -> Select[Any]:
    cols = [declarations.c[n] for n in DECLARATION_COLUMNS] + [
        goods_items.c[n] for n in ITEM_COLUMNS
    ]
    return (
        select(*cols, outcomes.c.illicit, outcomes.c.severity)
        .select_from(
            declarations.join(
                goods_items, goods_items.c.declaration_id == declarations.c.declaration_id
            ).outerjoin(outcomes, outcomes.c.declaration_id == declarations.c.declaration_id)
        )
        .order_by(declarations.c.declared_on, declarations.c.declaration_id, goods_items.c.item_no)
    )


# The items of declarations by id, built once: SQLAlchemy memoises a statement's cache key on
# the statement, while one built per call (~40 columns, a join) cost ~1 ms to build and key,
# more than the query, for each declaration scored on demand.
ITEMS_BY_ID = _items_query().where(
    declarations.c.declaration_id.in_(bindparam("ids", expanding=True))
)


def read_item_rows(node: Node, declaration_ids: Sequence[str]) -> list[tuple[Any, ...]]:
    """The items of these declarations as the store gives them, one tuple per item in the
    columns (and order) of :data:`SCHEMA`: what :func:`read_items` makes its frame of. A few
    declarations scored on demand read these and build no frame (:func:`item_dicts`)."""
    if not declaration_ids:
        return []
    with node.read() as conn:
        return [tuple(r) for r in conn.execute(ITEMS_BY_ID, {"ids": list(declaration_ids)})]


def items_frame(rows: Sequence[tuple[Any, ...]]) -> pl.DataFrame:
    """:func:`read_items`'s frame of rows from :func:`read_item_rows`."""
    if not rows:
        return pl.DataFrame(schema=dict(SCHEMA))
    return pl.DataFrame(rows, schema=dict(SCHEMA), orient="row")


_AS_PYTHON: Mapping[str, Any] = MappingProxyType(
    {
        name: {pl.Float64(): float, pl.Int64(): int, pl.Boolean(): bool}.get(dtype)
        for name, dtype in SCHEMA.items()
    }
)
_NAMES = tuple(SCHEMA)
_CONVERTED = tuple((i, n, to) for i, n in enumerate(_NAMES) if (to := _AS_PYTHON[n]) is not None)


def item_dicts(rows: Sequence[tuple[Any, ...]]) -> list[dict[str, Any]]:
    """Rows from :func:`read_item_rows` as :func:`items_frame`'s ``to_dicts()`` gives them
    (numbers as the frame's dtype holds them: a driver's Decimal as a float), without the
    frame."""
    out = []
    for row in rows:
        item = dict(zip(_NAMES, row, strict=True))
        for i, name, to in _CONVERTED:
            value = row[i]
            if value is not None and type(value) is not to:
                item[name] = to(value)
        out.append(item)
    return out


def read_items(
    node: Node,
    *,
    since: dt.date | None = None,
    until: dt.date | None = None,
    declaration_ids: Sequence[str] | None = None,
    labelled_only: bool = False,
    to_score: ToScore | None = None,
) -> pl.DataFrame:
    """Stored declarations as the canonical item-level frame (with outcomes when known)."""
    schema = dict(SCHEMA)
    params: dict[str, Any] = {}
    if declaration_ids is not None and not (since or until or labelled_only or to_score):
        query, params = ITEMS_BY_ID, {"ids": list(declaration_ids)}
        declaration_ids = None
    else:
        query = _items_query()
    if since:
        query = query.where(declarations.c.declared_on >= since)
    if until:
        query = query.where(declarations.c.declared_on <= until)
    if declaration_ids is not None:
        query = query.where(declarations.c.declaration_id.in_(list(declaration_ids)))
    if labelled_only:
        query = query.where(outcomes.c.illicit.is_not(None))
    if to_score is not None:
        query = query.where(*_to_score(to_score))
    # Streamed into Polars a chunk at a time: all rows as Python objects at once made the
    # garbage collector walk millions of them, holding the GIL (and stalling the server's event
    # loop, whose replay from the profiles page runs this in a worker thread) for ~0.5 s.
    frames = []
    with node.read() as conn:
        for part in conn.execute(query, params).partitions(FETCH_ROWS):
            frames.append(pl.DataFrame([tuple(r) for r in part], schema=schema, orient="row"))
    if len(frames) == 1:  # a few declarations' items: nothing to concatenate
        return frames[0]
    return pl.concat(frames, rechunk=True) if frames else pl.DataFrame(schema=schema)


def unscored_days(
    node: Node, which: ToScore, since: dt.date | None, until: dt.date | None
) -> list[dt.date]:
    query = (
        select(declarations.c.declared_on)
        .where(*_to_score(which))
        .distinct()
        .order_by(declarations.c.declared_on)
    )
    if since:
        query = query.where(declarations.c.declared_on >= since)
    if until:
        query = query.where(declarations.c.declared_on <= until)
    with node.read() as conn:
        return list(conn.execute(query).scalars())
