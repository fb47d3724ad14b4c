"""Amendments and cancellations of stored declarations, from any format.

A declaration has versions: an amendment applies changed fields to the stored one (by its
reference), goes through the same validation as ingest, keeps the version it replaces with what
changed field by field (``declaration_versions``), and is re-scored. A cancellation marks it
cancelled: kept, left out of the queues. A WCO DM additional message (FunctionCode 13) names the
declaration by its ``ID`` and amends it (``COR``) or asks to cancel it (``INV``); the ingest of a
file applies such messages here, in the same transaction as the rest of its chunk. The API and
the command line send the changed fields (:class:`AmendmentIn`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import polars as pl
from pydantic import BaseModel, Field
from sqlalchemy import Connection, delete, func, select, update

from borderlink.errors import Conflict, InvalidInput, NotFound
from borderlink.ingest import Reject, load_mapping, prepare
from borderlink.ingest.columns import DECLARATION_COLUMNS, GOODS_ITEM_COLUMNS, HEADER, INPUT, ITEM
from borderlink.ingest.pipeline import AmendmentRows
from borderlink.ingest.validate import KEY
from borderlink.model import FieldIssue
from borderlink.refdata import RefData, builtin
from borderlink.services.accounts import audit
from borderlink.services.ingest.batches import Source
from borderlink.services.risk import waiting
from borderlink.store import bulk, declaration_writes, partitions
from borderlink.store.tables import (
    declaration_keys,
    declaration_versions,
    declarations,
    goods_items,
)

KINDS = MappingProxyType({"COR": "an amendment", "INV": "a cancellation"})
CANCELLED = "cancelled"
# What an amendment may change: every source field but the keys.
HEADER_FIELDS = frozenset(c for c in HEADER if c != "declaration_id")
ITEM_FIELDS = frozenset(c for c in ITEM if c != "item_no")
_COMPARED_ITEM = tuple(c for c in GOODS_ITEM_COLUMNS if c in ITEM_FIELDS)

Value = str | int | float | bool | None


class AmendmentIn(BaseModel):
    """Changed fields of a stored declaration, in the flat layout's column names."""

    changes: dict[str, Value] = Field(
        default_factory=dict, description="Header fields and their new values, e.g. office_id"
    )
    items: list[dict[str, Value]] = Field(
        default_factory=list,
        description="Per goods item: its item_no and the fields that change (a new item_no adds "
        "an item)",
    )
    cancel: bool = Field(default=False, description="Cancel the declaration instead")
    reason: str | None = Field(default=None, max_length=2000)


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _stored(conn: Connection, declaration_id: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    head = conn.execute(
        select(declarations).where(declarations.c.declaration_id == declaration_id)
    ).first()
    if head is None:
        raise NotFound(f"no declaration {declaration_id!r}", field="declaration_id")
    items = conn.execute(
        select(goods_items)
        .where(goods_items.c.declaration_id == declaration_id)
        .order_by(goods_items.c.item_no)
    ).all()
    return dict(head._mapping), [dict(i._mapping) for i in items]


def _checked_names(changes: Mapping[str, Value], allowed: frozenset[str], where: str) -> None:
    unknown = sorted(set(changes) - allowed)
    if unknown:
        raise InvalidInput(
            f"{where}: {', '.join(unknown)} cannot be amended "
            f"(one of: {', '.join(sorted(allowed))})",
            field=unknown[0],
        )


def _merged(
    head: dict[str, Any], items: list[dict[str, Any]], amendment: AmendmentIn
) -> pl.DataFrame:
    """The declaration as it will read: stored values as text, the changes laid over them."""
    _checked_names(amendment.changes, HEADER_FIELDS, "header")
    header = {c: _text(head.get(c)) for c in HEADER} | {
        k: _text(v) for k, v in amendment.changes.items()
    }
    by_no = {int(i["item_no"]): {c: _text(i.get(c)) for c in ITEM} for i in items}
    for change in amendment.items:
        try:
            number = int(str(change.get("item_no")))
        except ValueError:
            raise InvalidInput("each changed item needs its item_no", field="item_no") from None
        fields = {k: v for k, v in change.items() if k != "item_no"}
        _checked_names(fields, ITEM_FIELDS, f"item {number}")
        base = by_no.get(number, {c: None for c in ITEM})
        by_no[number] = base | {k: _text(v) for k, v in fields.items()} | {"item_no": str(number)}
    rows = [{c: None for c in INPUT} | header | row for _, row in sorted(by_no.items())]
    schema: dict[str, type[pl.DataType]] = {"_record_no": pl.Int64} | {c: pl.String for c in INPUT}
    return pl.DataFrame([{"_record_no": n, **row} for n, row in enumerate(rows, 1)], schema=schema)


def _validated(frame: pl.DataFrame, declaration_id: str, refdata: RefData) -> pl.DataFrame:
    prepared = prepare(frame, load_mapping("borderlink"), refdata)
    if prepared.rejects:
        reject = prepared.rejects[0]
        issue = reject.issues[0]
        raise InvalidInput(
            f"declaration {declaration_id} item {reject.item_no}: {issue.field}: {issue.message} "
            f"({issue.reason})",
            field=issue.field,
        )
    return prepared.accepted


def _changes(
    head: dict[str, Any], items: list[dict[str, Any]], new: pl.DataFrame
) -> list[dict[str, Any]]:
    """What differs, field by field: header fields once, item fields per item."""
    rows = new.to_dicts()
    found = [
        {"field": c, "item_no": None, "before": _text(head.get(c)), "after": _text(rows[0][c])}
        for c in DECLARATION_COLUMNS
        if c != "declaration_id" and _text(head.get(c)) != _text(rows[0][c])
    ]
    before = {int(i["item_no"]): i for i in items}
    for row in rows:
        old = before.get(int(row["item_no"]), {})
        found += [
            {
                "field": c,
                "item_no": row["item_no"],
                "before": _text(old.get(c)),
                "after": _text(row[c]),
            }
            for c in _COMPARED_ITEM
            if _text(old.get(c)) != _text(row[c])
        ]
    return found


def _next_version(conn: Connection, declaration_id: str) -> int:
    latest = conn.execute(
        select(func.max(declaration_versions.c.version)).where(
            declaration_versions.c.declaration_id == declaration_id
        )
    ).scalar_one()
    return int(latest or 1) + 1


def _keep_version(
    conn: Connection,
    head: dict[str, Any],
    items: list[dict[str, Any]],
    record: dict[str, Any],
) -> int:
    """Store the version being replaced, with the change; returns the new version's number."""
    version = _next_version(conn, head["declaration_id"])
    previous = {
        "header": {k: _text(v) for k, v in head.items() if k != "created_at"},
        "items": [{k: _text(v) for k, v in item.items()} for item in items],
    }
    conn.execute(
        declaration_versions.insert().values(
            declaration_id=head["declaration_id"],
            version=version,
            previous=previous,
            at=bulk.now(),
            **record,
        )
    )
    return version


def apply_amendment(
    conn: Connection,
    declaration_id: str,
    amendment: AmendmentIn,
    *,
    actor: str,
    source: str,
    refdata: RefData,
) -> int | None:
    """Apply one amendment or cancellation in the caller's transaction: the new version, or
    ``None`` when nothing changes (the same amendment twice, a second cancellation)."""
    head, items = _stored(conn, declaration_id)
    if head.get("status") == CANCELLED:
        if amendment.cancel:
            return None
        raise Conflict(f"declaration {declaration_id} is cancelled; it can no longer be amended")
    if amendment.cancel:
        changes = [{"field": "status", "item_no": None, "before": None, "after": CANCELLED}]
        conn.execute(
            update(declarations)
            .where(declarations.c.declaration_id == declaration_id)
            .values(status=CANCELLED)
        )
        waiting.refresh(conn, [declaration_id])  # no longer queued
    else:
        new = _validated(_merged(head, items, amendment), declaration_id, refdata)
        changes = _changes(head, items, new)
        if not changes:
            return None
        _replace(conn, declaration_id, new)
    kind = "cancel" if amendment.cancel else "amend"
    record = {"kind": kind, "changes": changes, "actor": actor, "reason": amendment.reason}
    version = _keep_version(conn, head, items, record | {"source": source})
    audit.record(
        conn,
        actor=actor,
        action=f"declaration.{kind}",
        object_type="declaration",
        object_id=declaration_id,
        reason=amendment.reason,
        details={"version": version, "fields": sorted({c["field"] for c in changes})},
    )
    return version


def _replace(conn: Connection, declaration_id: str, new: pl.DataFrame) -> None:
    header = new.row(0, named=True)
    # A new day may move the declaration to another month's partition (PostgreSQL).
    partitions.ensure_months(conn, [header["declared_on"]])
    conn.execute(
        update(declarations)
        .where(declarations.c.declaration_id == declaration_id)
        .values({c: header[c] for c in DECLARATION_COLUMNS if c != "declaration_id"})
    )
    if conn.dialect.name == "postgresql":
        conn.execute(
            update(declaration_keys)
            .where(declaration_keys.c.declaration_id == declaration_id)
            .values(declared_on=header["declared_on"])
        )
    conn.execute(delete(goods_items).where(goods_items.c.declaration_id == declaration_id))
    waiting.refresh(conn, [declaration_id])  # its day or office may have changed
    declaration_writes.insert_items(conn, new.sort(KEY), GOODS_ITEM_COLUMNS)


# --- additional messages met in a file (WCO DM FunctionCode 13) ------------------------------


def _refused(amendment: AmendmentRows, reason: str, message: str) -> list[Reject]:
    return [
        Reject(
            record_no=amendment.record_no,
            declaration_id=amendment.declaration_id,
            item_no=None,
            issues=[FieldIssue(field="declaration_id", reason=reason, message=message)],
            raw=raw,
        )
        for raw in amendment.raw
    ]


def _where(amendment: AmendmentRows) -> str:
    first = amendment.raw[0] if amendment.raw else {}
    return str(first.get("_raw") or f"record {amendment.record_no}")


def from_rows(amendment: AmendmentRows) -> AmendmentIn:
    """A message's rows as changed fields: what it gives is what changes."""
    first = amendment.rows[0] if amendment.rows else {}
    changes: dict[str, Value] = {k: v for k, v in first.items() if k in HEADER_FIELDS}
    items: list[dict[str, Value]] = [
        {k: v for k, v in row.items() if k in ITEM_FIELDS} | {"item_no": row["item_no"]}
        for row in amendment.rows
        if row.get("item_no") is not None and any(k in ITEM_FIELDS for k in row)
    ]
    reason = f"{KINDS.get(amendment.kind, amendment.kind)} sent in {_where(amendment)}"
    return AmendmentIn(changes=changes, items=items, cancel=amendment.kind == "INV", reason=reason)


def apply_amendments(
    conn: Connection,
    amendments: list[AmendmentRows],
    source: Source,
    *,
    refdata: RefData | None = None,
    amended: list[str] | None = None,
) -> tuple[int, list[Reject]]:
    """Apply each message to the declaration it names: (rows applied, rejects); the ids of the
    declarations that changed are added to ``amended``."""
    applied = 0
    refused: list[Reject] = []
    for amendment in amendments:
        what = KINDS.get(amendment.kind, amendment.kind)
        where = _where(amendment)
        try:
            with conn.begin_nested():  # a refused message leaves the rest of the chunk alone
                version = apply_amendment(
                    conn,
                    amendment.declaration_id,
                    from_rows(amendment),
                    actor="ingest",
                    source=f"{source.name}: {where}",
                    refdata=refdata or builtin(),
                )
        except NotFound:
            refused += _refused(
                amendment,
                "unknown_declaration",
                f"{where}: {what} (FunctionCode 13, {amendment.kind}) of declaration "
                f"{amendment.declaration_id}, which this node does not hold (Declaration/ID)",
            )
            continue
        except (InvalidInput, Conflict) as error:
            refused += _refused(amendment, "amendment_refused", f"{where}: {what}: {error}")
            continue
        applied += len(amendment.raw)
        if version is not None and amended is not None and amendment.kind != "INV":
            amended.append(amendment.declaration_id)  # a cancelled one is not scored again
    return applied, refused
