"""Ingest a file into the node: validate by chunk, store each chunk in one transaction.

A crash mid-file leaves whole chunks committed or not at all; re-running the same file finishes
the job (committed rows come back as duplicates). Nothing is lost: every input row ends up
accepted, rejected (kept with its reasons) or a duplicate of a stored row.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import polars as pl
from sqlalchemy import Connection, insert, update

from borderlink.errors import InvalidInput, NotFound
from borderlink.ingest import FORMATS, Prepared, Reject, prepare_file
from borderlink.ingest.columns import DECLARATION_COLUMNS, GOODS_ITEM_COLUMNS
from borderlink.ingest.pipeline import conflict_rejects
from borderlink.ingest.validate import KEY
from borderlink.model import IngestSummary
from borderlink.refdata import RefData
from borderlink.services import audit
from borderlink.services.node import Node
from borderlink.services.refdata import snapshot
from borderlink.store import bulk
from borderlink.store.tables import goods_items, ingest_batches, rejects

Progress = Callable[[int], None]  # called with the number of rows just processed


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def ingest_file(
    node: Node,
    path: str | Path,
    *,
    format: str = "csv",
    mapping: str | None = None,
    actor: str = "cli",
    progress: Progress | None = None,
    refdata: RefData | None = None,
    chunk_rows: int | None = None,
) -> IngestSummary:
    """Validate and store every declaration in ``path``; the summary adds up to the input rows."""
    path = Path(path)
    if not path.is_file():
        raise NotFound(f"no such file: {path}", field="file")
    if format not in FORMATS:
        raise InvalidInput(
            f"unknown format {format!r}; one of {', '.join(FORMATS)}", field="format"
        )
    mapping_name = mapping or "borderlink"
    source = Source(
        batch_id=str(uuid.uuid4()),
        name=str(path),
        sha256=file_sha256(path),
        format=format,
        mapping=mapping_name,
    )
    summary = IngestSummary(batch_id=source.batch_id, source=source.name)
    with node.engine.begin() as conn:
        conn.execute(
            insert(ingest_batches).values(
                batch_id=source.batch_id,
                source=source.name,
                source_sha256=source.sha256,
                format=format,
                mapping=mapping_name,
                status="running",
                started_at=bulk.now(),
            )
        )
        audit.record(
            conn,
            actor=actor,
            action="ingest.start",
            object_type="ingest_batch",
            object_id=source.batch_id,
            details={"source": source.name, "sha256": source.sha256, "mapping": mapping_name},
        )
    refdata = refdata or snapshot(node)
    try:
        for prepared in prepare_file(
            path,
            fmt=format,
            mapping=mapping_name,
            refdata=refdata,
            chunk_rows=chunk_rows or node.settings.ingest_chunk_rows,
        ):
            with node.engine.begin() as conn:
                tally, _ = store_chunk(conn, prepared, source)
                _add(summary, tally)
                _save_counts(conn, summary, status="running")
            if progress:
                progress(prepared.rows)
    except BaseException:
        with node.engine.begin() as conn:
            _save_counts(conn, summary, status="failed")
        raise
    with node.engine.begin() as conn:
        _save_counts(conn, summary, status="finished")
        audit.record(
            conn,
            actor=actor,
            action="ingest.finish",
            object_type="ingest_batch",
            object_id=source.batch_id,
            details=summary.public(),
        )
    return summary


class Source:
    """Where rows came from: recorded on every reject so it can be retried."""

    def __init__(self, *, batch_id: str, name: str, sha256: str, format: str, mapping: str) -> None:
        self.batch_id, self.name, self.sha256 = batch_id, name, sha256
        self.format, self.mapping = format, mapping


def store_chunk(
    conn: Connection, prepared: Prepared, source: Source, *, keep_rejects: bool = True
) -> tuple[IngestSummary, list[Reject]]:
    """Write one validated chunk inside the caller's transaction: its tally and its rejects.

    With ``keep_rejects=False`` the rejects are returned but not stored (a retry updates the
    rejects it came from instead).
    """
    tally = IngestSummary(
        batch_id=source.batch_id,
        source=source.name,
        rows=prepared.rows,
        duplicates=prepared.duplicates,
        warnings=dict(prepared.warnings),
        errors=dict(prepared.errors),
    )
    found = list(prepared.rejects)
    accepted = prepared.accepted
    if accepted.height:
        inserted, duplicates, conflicts = _store_accepted(conn, accepted, source)
        tally.accepted = inserted
        tally.duplicates += duplicates
        if conflicts.height:
            found.extend(conflict_rejects(conflicts, accepted, where="the node"))
            tally.errors["conflicting_duplicate"] = (
                tally.errors.get("conflicting_duplicate", 0) + conflicts.height
            )
    tally.rejected = len(found)
    if keep_rejects:
        _store_rejects(conn, found, source)
    return tally, found


def _store_accepted(
    conn: Connection, accepted: pl.DataFrame, source: Source
) -> tuple[int, int, pl.DataFrame]:
    """Insert new items with their headers, parties, outcomes: (inserted, duplicates, conflicts)."""
    created = bulk.now()
    staged = bulk.stage(conn, "goods_items", accepted, GOODS_ITEM_COLUMNS)
    existing = bulk.compare(conn, staged, "goods_items", KEY, "row_hash")
    existing = existing.with_columns(
        pl.col("declaration_id").cast(pl.String),
        pl.col("item_no").cast(pl.Int64),
        pl.col("same").cast(pl.Boolean),
    )
    duplicates = int(existing["same"].sum()) if existing.height else 0
    conflict_keys = existing.filter(~pl.col("same")).select(KEY)
    conflicts = accepted.join(conflict_keys, on=list(KEY), how="semi")

    headers = (
        accepted.unique(subset=["declaration_id"], keep="first", maintain_order=True)
        .select(DECLARATION_COLUMNS)
        .with_columns(
            pl.lit(source.batch_id).alias("batch_id"),
            pl.lit(created).alias("created_at"),
        )
    )
    columns = [*DECLARATION_COLUMNS, "batch_id", "created_at"]
    bulk.merge(
        conn,
        bulk.stage(conn, "declarations", headers, columns),
        "declarations",
        columns,
        ["declaration_id"],
    )
    inserted = bulk.merge(conn, staged, "goods_items", GOODS_ITEM_COLUMNS, KEY)
    new_items = accepted.join(existing.select(KEY), on=list(KEY), how="anti")
    _store_parties(conn, new_items)
    _store_outcomes(conn, new_items, source, created)
    return inserted, duplicates, conflicts


def _store_parties(conn: Connection, items: pl.DataFrame) -> None:
    names = {"importer_id": "importer_name", "exporter_id": "exporter_name"}
    frames = []
    for column in ("importer_id", "exporter_id", "declarant_id", "carrier_id"):
        frames.append(
            items.select(
                pl.col(column).alias("party_id"),
                (pl.col(names[column]) if column in names else pl.lit(None, pl.String)).alias(
                    "name"
                ),
                (
                    pl.col("exporter_country")
                    if column == "exporter_id"
                    else pl.lit(None, pl.String)
                ).alias("country"),
                (pl.col("aeo") if column == "importer_id" else pl.lit(None, pl.Boolean)).alias(
                    "aeo"
                ),
                pl.col("declared_on").alias("first_seen"),
            ).drop_nulls("party_id")
        )
    found = (
        pl.concat(frames)
        .sort("first_seen")
        .unique(subset=["party_id"], keep="first", maintain_order=True)
    )
    columns = ["party_id", "name", "country", "aeo", "first_seen"]
    bulk.merge(conn, bulk.stage(conn, "parties", found, columns), "parties", columns, ["party_id"])


def _store_outcomes(conn: Connection, items: pl.DataFrame, source: Source, at: dt.datetime) -> None:
    known = items.filter(pl.col("illicit").is_not_null())
    if known.is_empty():
        return
    outcomes = (
        known.group_by("declaration_id", maintain_order=True)
        .agg(
            pl.col("illicit").any(),
            pl.col("severity").max().fill_null(0).cast(pl.Int16),
            pl.col("revenue_recovered").sum().alias("revenue_recovered"),
            pl.col("declared_on").max().alias("inspected_on"),
        )
        .with_columns(
            pl.lit(f"ingest:{source.batch_id}"[:32]).alias("source"),
            pl.lit(at).alias("recorded_at"),
        )
    )
    columns = [
        "declaration_id",
        "illicit",
        "severity",
        "revenue_recovered",
        "inspected_on",
        "source",
        "recorded_at",
    ]
    bulk.merge(
        conn,
        bulk.stage(conn, "outcomes", outcomes, columns),
        "outcomes",
        columns,
        ["declaration_id"],
    )


def _fingerprint(source: Source, reject: Reject) -> str:
    raw = json.dumps(reject.raw, sort_keys=True, default=str)
    return hashlib.sha256(f"{source.sha256}:{reject.record_no}:{raw}".encode()).hexdigest()


def _store_rejects(conn: Connection, found: list[Reject], source: Source) -> None:
    created = bulk.now()
    rows = [
        {
            "fingerprint": _fingerprint(source, reject),
            "batch_id": source.batch_id,
            "source": source.name,
            "format": source.format,
            "mapping": source.mapping,
            "record_no": reject.record_no,
            "declaration_id": (reject.declaration_id or "")[:64] or None,
            "item_no": reject.item_no,
            "field": reject.issues[0].field[:64],
            "reason": reject.issues[0].reason,
            "issues": [issue.model_dump(mode="json") for issue in reject.issues],
            "raw": reject.raw,
            "status": "open",
            "created_at": created,
        }
        for reject in found
    ]
    bulk.insert_ignore(conn, rejects, rows, ["fingerprint"])


def _add(summary: IngestSummary, tally: IngestSummary) -> None:
    summary.rows += tally.rows
    summary.accepted += tally.accepted
    summary.rejected += tally.rejected
    summary.duplicates += tally.duplicates
    summary.warnings = dict(Counter(summary.warnings) + Counter(tally.warnings))
    summary.errors = dict(Counter(summary.errors) + Counter(tally.errors))


def _save_counts(conn: Connection, summary: IngestSummary, *, status: str) -> None:
    conn.execute(
        update(ingest_batches)
        .where(ingest_batches.c.batch_id == summary.batch_id)
        .values(
            status=status,
            rows=summary.rows,
            accepted=summary.accepted,
            rejected=summary.rejected,
            duplicates=summary.duplicates,
            warnings=summary.warnings,
            errors=summary.errors,
            finished_at=None if status == "running" else bulk.now(),
        )
    )


__all__ = ["Progress", "Source", "file_sha256", "goods_items", "ingest_file", "store_chunk"]
