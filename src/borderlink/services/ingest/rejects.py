"""Rejected records: list them, show one, correct one, retry them after the reference data or
mapping is fixed.

A retry runs the record's raw form through the same mapping (re-read, so a fixed mapping file
counts) and the node's current reference data; what passes is stored and the reject resolved,
what still fails keeps its (updated) reasons.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from typing import Any

import polars as pl
from pydantic import BaseModel
from sqlalchemy import Row, func, select, update

from borderlink.errors import Conflict, InvalidInput, NotFound
from borderlink.ingest import load_mapping, prepare
from borderlink.model import FieldIssue, RejectedRecord
from borderlink.refdata import RefData
from borderlink.services.accounts import audit
from borderlink.services.accounts.access import Permission, Principal, require
from borderlink.services.ingest.files import Source, store_chunk
from borderlink.services.node import Node
from borderlink.services.refdata.load import snapshot
from borderlink.store import bulk
from borderlink.store.tables import rejects


class RetrySummary(BaseModel):
    retried: int = 0
    resolved: int = 0  # stored now, or found already stored
    still_rejected: int = 0
    reasons: dict[str, int] = {}


def _record(row: Row[Any]) -> RejectedRecord:
    return RejectedRecord(
        id=row.reject_id,
        batch_id=row.batch_id,
        source=row.source,
        record_no=row.record_no,
        declaration_id=row.declaration_id,
        item_no=row.item_no,
        issues=[FieldIssue.model_validate(issue) for issue in row.issues],
        raw=row.raw,
        status=row.status,
    )


def list_rejects(
    node: Node,
    principal: Principal,
    *,
    status: str | None = "open",
    reason: str | None = None,
    batch_id: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[RejectedRecord], int]:
    """A page of rejects (oldest first) and the total matching the filters."""
    require(principal, Permission.REJECTS_READ)
    query = select(rejects)
    if status:
        query = query.where(rejects.c.status == status)
    if reason:
        query = query.where(rejects.c.reason == reason)
    if batch_id:
        query = query.where(rejects.c.batch_id == batch_id)
    with node.read() as conn:
        total = conn.execute(select(func.count()).select_from(query.subquery())).scalar_one()
        rows = conn.execute(query.order_by(rejects.c.reject_id).limit(limit).offset(offset)).all()
    return [_record(row) for row in rows], total


def reason_counts(
    node: Node, principal: Principal, *, status: str | None = "open"
) -> dict[str, int]:
    require(principal, Permission.REJECTS_READ)
    query = select(rejects.c.reason, func.count()).group_by(rejects.c.reason)
    if status:
        query = query.where(rejects.c.status == status)
    with node.read() as conn:
        return {reason: count for reason, count in conn.execute(query).all()}


def get_reject(node: Node, principal: Principal, reject_id: int) -> RejectedRecord:
    require(principal, Permission.REJECTS_READ)
    with node.read() as conn:
        row = conn.execute(select(rejects).where(rejects.c.reject_id == reject_id)).first()
    if row is None:
        raise NotFound(f"no rejected record {reject_id}", field="id")
    return _record(row)


def retry_rejects(
    node: Node,
    principal: Principal,
    *,
    ids: list[int] | None = None,
    reason: str | None = None,
) -> RetrySummary:
    """Run open rejects (all, some ids, or one reason) through validation again."""
    require(principal, Permission.REJECTS_RETRY)
    query = select(rejects).where(rejects.c.status == "open")
    if ids:
        query = query.where(rejects.c.reject_id.in_(ids))
    if reason:
        query = query.where(rejects.c.reason == reason)
    with node.read() as conn:
        rows = conn.execute(query.order_by(rejects.c.reject_id)).all()
    if ids and len(rows) < len(set(ids)):
        missing = sorted(set(ids) - {row.reject_id for row in rows})
        raise NotFound(f"no open rejected record(s): {', '.join(map(str, missing))}", field="id")
    summary = RetrySummary()
    refdata = snapshot(node)
    groups: dict[tuple[str, str], list[Row[Any]]] = defaultdict(list)
    for row in rows:
        groups[(row.format, row.mapping or "borderlink")].append(row)
    for (fmt, mapping_name), group in groups.items():
        _retry_group(node, principal, fmt, mapping_name, group, refdata, summary)
    return summary


# long: one transaction per group, read, re-validate and write in one place so a crash leaves
# the group either retried or untouched
def _retry_group(
    node: Node,
    principal: Principal,
    fmt: str,
    mapping_name: str,
    group: list[Row[Any]],
    refdata: RefData,
    summary: RetrySummary,
) -> None:
    """Retry the rejects of one format and mapping in one transaction, adding to ``summary``."""
    mapping = load_mapping("borderlink" if fmt == "json" else mapping_name)
    # The reject id stands in for the record number, so results map back to reject rows.
    raw = pl.DataFrame(
        [
            {"_record_no": row.reject_id, **{k: _text(v) for k, v in row.raw.items()}}
            for row in group
        ],
        infer_schema_length=None,
    ).with_columns(pl.exclude("_record_no").cast(pl.String))
    prepared = prepare(raw, mapping, refdata)
    source = Source(
        batch_id=str(uuid.uuid4()),
        name="retry",
        sha256="retry",
        format=fmt,
        mapping=mapping_name,
    )
    with node.transaction() as conn:
        _, found = store_chunk(conn, prepared, source, keep_rejects=False, refdata=refdata)
        still = {reject.record_no: reject for reject in found}
        now = bulk.now()
        for row in group:
            summary.retried += 1
            reject = still.get(row.reject_id)
            if reject is None:
                summary.resolved += 1
                conn.execute(
                    update(rejects)
                    .where(rejects.c.reject_id == row.reject_id)
                    .values(status="resolved", resolved_at=now)
                )
                continue
            summary.still_rejected += 1
            first = reject.issues[0]
            summary.reasons[first.reason] = summary.reasons.get(first.reason, 0) + 1
            conn.execute(
                update(rejects)
                .where(rejects.c.reject_id == row.reject_id)
                .values(
                    field=first.field,
                    reason=first.reason,
                    issues=[issue.model_dump(mode="json") for issue in reject.issues],
                )
            )
        audit.record(
            conn,
            actor=principal.username,
            action="rejects.retry",
            object_type="reject",
            object_id=",".join(str(row.reject_id) for row in group)[:128],
            details=summary.model_dump(),
        )


MAX_CORRECTED_VALUE = 2_000


def correct_reject(
    node: Node,
    principal: Principal,
    reject_id: int,
    changes: dict[str, str],
    *,
    reason: str | None = None,
) -> RetrySummary:
    """Correct fields of an open rejected record as it was read (a mistyped HS code, a date in
    the wrong order) and retry it at once. Only the record's own fields can change; the values
    before and after are kept in the audit log, so the correction can be traced to its author."""
    require(principal, Permission.REJECTS_RETRY)
    require(principal, Permission.NOMINAL_READ)  # correcting means seeing the whole record
    if not changes:
        raise InvalidInput("name at least one field to correct", field="changes")
    with node.transaction() as conn:
        row = conn.execute(
            select(rejects.c.raw, rejects.c.status).where(rejects.c.reject_id == reject_id)
        ).first()
        if row is None:
            raise NotFound(f"no rejected record {reject_id}", field="id")
        if row.status != "open":
            raise Conflict(f"rejected record {reject_id} is already resolved", field="id")
        raw = dict(row.raw)
        for name, value in changes.items():
            if name not in raw:
                raise InvalidInput(
                    f"record {reject_id} has no field {name!r} (its fields: {', '.join(raw)})",
                    field=name,
                )
            if len(value) > MAX_CORRECTED_VALUE or "\x00" in value:
                raise InvalidInput(f"not a value for {name}", field=name)
        changed = {k: v for k, v in changes.items() if _text(raw[k]) != v}
        if changed:
            before = {k: _text(raw[k]) for k in changed}
            conn.execute(
                update(rejects).where(rejects.c.reject_id == reject_id).values(raw=raw | changed)
            )
            audit.record(
                conn,
                actor=principal.username,
                action="reject.correct",
                object_type="reject",
                object_id=str(reject_id),
                reason=reason,
                details={"before": before, "after": changed},
            )
    return retry_rejects(node, principal, ids=[reject_id])


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


__all__ = [
    "RetrySummary",
    "correct_reject",
    "get_reject",
    "list_rejects",
    "reason_counts",
    "retry_rejects",
]
