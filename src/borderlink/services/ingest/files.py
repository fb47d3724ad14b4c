"""Ingest a file into the node: validate by chunk, store each chunk in one transaction.

A crash mid-file leaves whole chunks committed or not at all; re-running the same file finishes
the job (committed rows come back as duplicates). Nothing is lost: every input row ends up
accepted, rejected (kept with its reasons) or a duplicate of a stored row.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import threading
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from queue import Empty, Queue
from typing import Any, TypeVar

import polars as pl
from sqlalchemy import Connection, update

from borderlink.errors import NotFound
from borderlink.ingest import Prepared, Reject, formats, prepare_file, reader
from borderlink.ingest.columns import DECLARATION_COLUMNS, GOODS_ITEM_COLUMNS
from borderlink.ingest.pipeline import conflict_rejects
from borderlink.ingest.readers import REPLACEMENT
from borderlink.ingest.validate import KEY
from borderlink.model import IngestSummary
from borderlink.refdata import RefData
from borderlink.services.accounts import audit
from borderlink.services.accounts.access import Permission, Principal, require
from borderlink.services.ingest import batches
from borderlink.services.ingest.amend import apply_amendments
from borderlink.services.ingest.batches import Source
from borderlink.services.ingest.versions import rescore
from borderlink.services.node import Node
from borderlink.services.refdata.load import snapshot
from borderlink.services.risk import waiting
from borderlink.services.screening.run import screen_parties
from borderlink.store import bulk, declaration_writes
from borderlink.store.engine import writer_lock
from borderlink.store.tables import ingest_batches

T = TypeVar("T")
KEY_AND_HASH = (*KEY, "row_hash")

Progress = Callable[[int], None]  # called with the number of rows just processed


# Screening at ingest is the node checking its own parties: a submitter needs no watchlist rights
# for every party of what it sent to be screened against the lists in force.
SCREENING = Principal.system("screening.ingest")


def file_sha256(path: Path) -> str:
    with path.open("rb") as stream:
        return hashlib.file_digest(stream, "sha256").hexdigest()


def ingest_file(
    node: Node,
    principal: Principal,
    path: str | Path,
    *,
    format: str = "csv",
    mapping: str | None = None,
    progress: Progress | None = None,
    refdata: RefData | None = None,
    chunk_rows: int | None = None,
    name: str | None = None,
) -> IngestSummary:
    """Validate and store every declaration in ``path``; the summary adds up to the input rows.

    An interrupted earlier run of the same file is resumed: its batch goes on where it stopped.
    ``name`` is the source recorded and reported instead of the path (an API submission's
    temporary file is nobody's business).
    """
    require(principal, Permission.DECLARATIONS_SUBMIT)
    path = Path(path)
    if not path.is_file():
        raise NotFound(f"no such file: {path}", field="file")
    reader(format)  # an unknown format is refused before anything is recorded
    mapping_name = mapping or "borderlink"
    sha256 = file_sha256(path)
    batches.mark_interrupted(node)
    earlier = batches.resumable(node, sha256, format, mapping_name)
    if earlier is not None:
        try:
            with batches.running(node, earlier.batch_id):
                if _claim(node, principal, earlier):
                    source = batches.Source(
                        earlier.batch_id, name or str(path), sha256, format, mapping_name
                    )
                    return _run(
                        node, principal, path, source, earlier, progress, refdata, chunk_rows
                    )
        except BlockingIOError:
            pass  # another process resumed it just now: this run is a batch of its own
    source = batches.Source(str(uuid.uuid4()), name or str(path), sha256, format, mapping_name)
    with batches.running(node, source.batch_id):
        with node.transaction() as conn:
            batches.start(conn, source)
            audit.record(
                conn,
                actor=principal.username,
                action="ingest.start",
                object_type="ingest_batch",
                object_id=source.batch_id,
                details={"source": source.name, "sha256": sha256, "mapping": mapping_name},
            )
        summary = IngestSummary(batch_id=source.batch_id, source=source.name)
        return _run(node, principal, path, source, summary, progress, refdata, chunk_rows)


def _claim(node: Node, principal: Principal, earlier: IngestSummary) -> bool:
    """Mark an interrupted batch running again, unless another run took it first."""
    with node.transaction() as conn:
        taken = conn.execute(
            update(ingest_batches)
            .where(ingest_batches.c.batch_id == earlier.batch_id)
            .where(ingest_batches.c.status.in_(batches.RESUMABLE))
            .values(status="running", finished_at=None)
        ).rowcount
        if taken:
            audit.record(
                conn,
                actor=principal.username,
                action="ingest.resume",
                object_type="ingest_batch",
                object_id=earlier.batch_id,
                details={"after_rows": earlier.rows},
            )
    return bool(taken)


def _run(
    node: Node,
    principal: Principal,
    path: Path,
    source: Source,
    summary: IngestSummary,
    progress: Progress | None,
    refdata: RefData | None,
    chunk_rows: int | None,
) -> IngestSummary:
    """Store the file's chunks after the rows ``summary`` already counts, then finish."""
    refdata = refdata or snapshot(node)
    amended: list[str] = []
    chunks = prepare_file(
        path,
        fmt=source.format,
        mapping=source.mapping,
        refdata=refdata,
        chunk_rows=chunk_rows or node.settings.ingest_chunk_rows,
        skip_rows=summary.rows,
    )
    try:
        # Validation of the next chunk (Polars, off the GIL) overlaps the writing of this one.
        for prepared in prefetch(chunks):
            with writer_lock(node.engine), node.transaction() as conn:
                # A write first: on SQLite the transaction takes the write lock now (waiting its
                # turn) rather than at its first insert, after reads another writer's commit
                # would make stale ("database is locked" at once, whatever the busy timeout).
                batches.save_counts(conn, summary, status="running")
                tally, _ = store_chunk(conn, prepared, source, refdata=refdata, amended=amended)
                _add(summary, tally)
                batches.save_counts(conn, summary, status="running")
            if progress:
                progress(prepared.rows)
    except BaseException:
        with node.transaction() as conn:
            batches.save_counts(conn, summary, status="failed")
        raise
    with node.transaction() as conn:
        batches.save_counts(conn, summary, status="finished")
        audit.record(
            conn,
            actor=principal.username,
            action="ingest.finish",
            object_type="ingest_batch",
            object_id=source.batch_id,
            details=summary.public(),
        )
    if summary.accepted:
        # Before any re-scoring, so that what it finds is already a reason.
        screen_parties(node, SCREENING)
    if amended:
        rescore(node, principal, list(dict.fromkeys(amended)))
    return summary


def prefetch(items: Iterator[T], depth: int = 1) -> Iterator[T]:
    """Produce items in a background thread, at most ``depth`` ahead of the consumer."""
    queue: Queue[tuple[bool, Any]] = Queue(maxsize=depth)
    stop = threading.Event()

    def produce() -> None:
        try:
            for item in items:
                if stop.is_set():
                    return
                queue.put((True, item))
            queue.put((False, None))
        except BaseException as error:  # handed to the consumer, raised there
            queue.put((False, error))

    worker = threading.Thread(target=produce, name="ingest-prefetch", daemon=True)
    worker.start()
    try:
        while True:
            has_item, item = queue.get()
            if not has_item:
                if item is not None:
                    raise item
                return
            yield item
    finally:
        stop.set()
        while worker.is_alive():  # unblock a producer waiting on a full queue
            try:
                queue.get_nowait()
            except Empty:
                worker.join(timeout=0.05)


def store_chunk(
    conn: Connection,
    prepared: Prepared,
    source: Source,
    *,
    keep_rejects: bool = True,
    refdata: RefData | None = None,
    amended: list[str] | None = None,
) -> tuple[IngestSummary, list[Reject]]:
    """Write one validated chunk inside the caller's transaction: its tally and its rejects.

    With ``keep_rejects=False`` the rejects are returned but not stored (a retry updates the
    rejects it came from instead). Amending messages in the chunk are applied against
    ``refdata``; the ids of the declarations they changed are added to ``amended``.
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
        _store_details(conn, prepared, source)
        tally.accepted = inserted
        tally.duplicates += duplicates
        if conflicts.height:
            found.extend(conflict_rejects(conflicts, accepted, where="the node"))
            tally.errors["conflicting_duplicate"] = (
                tally.errors.get("conflicting_duplicate", 0) + conflicts.height
            )
    if prepared.amendments:
        applied, refused = apply_amendments(
            conn, prepared.amendments, source, refdata=refdata, amended=amended
        )
        tally.accepted += applied
        found.extend(refused)
        for reject in refused:
            tally.errors[reject.issues[0].reason] = tally.errors.get(reject.issues[0].reason, 0) + 1
    tally.rejected = len(found)
    if keep_rejects:
        _store_rejects(conn, found, source)
    return tally, found


def _store_accepted(
    conn: Connection, accepted: pl.DataFrame, source: Source
) -> tuple[int, int, pl.DataFrame]:
    """Insert new items with their headers, parties, outcomes: (inserted, duplicates, conflicts)."""
    created = bulk.now()
    # Key order turns random B-tree inserts into mostly appends: a third faster on SQLite.
    accepted = accepted.sort(KEY)
    staged = bulk.stage(conn, "goods_items", accepted, KEY_AND_HASH, label="keys")
    duplicates, conflict_keys = declaration_writes.compare_items(conn, staged)
    conflict_keys = conflict_keys.with_columns(
        pl.col("declaration_id").cast(pl.String), pl.col("item_no").cast(pl.Int64)
    )
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
    declaration_writes.insert_headers(conn, headers, columns)
    inserted = declaration_writes.insert_items(conn, accepted, GOODS_ITEM_COLUMNS)
    # Parties and outcomes are insert-if-new on their own keys: a stored declaration keeps its own.
    kept = accepted.join(conflict_keys, on=list(KEY), how="anti")
    _store_parties(conn, kept)
    _store_outcomes(conn, kept, source, created)
    return inserted, duplicates, conflicts


def _store_details(conn: Connection, prepared: Prepared, source: Source) -> None:
    """What the message said beyond the flat layout; a stored declaration keeps its own."""
    if prepared.details is None or prepared.details.is_empty():
        return
    frame = prepared.details.with_columns(pl.lit(source.format).alias("format"))
    columns = ["declaration_id", "format", "details"]
    bulk.insert_frame(conn, "declaration_details", frame, columns, ["declaration_id"])


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
    bulk.insert_frame(conn, "parties", found, columns, ["party_id"])


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
    bulk.insert_frame(conn, "outcomes", outcomes, columns, ["declaration_id"])
    waiting.inspected(conn, outcomes.get_column("declaration_id").to_list())


def _fingerprint(source: Source, reject: Reject) -> str:
    raw = json.dumps(reject.raw, sort_keys=True, default=str)
    return hashlib.sha256(f"{source.sha256}:{reject.record_no}:{raw}".encode()).hexdigest()


def _no_nul(value: Any) -> Any:
    """NUL as U+FFFD in every text of a reject: PostgreSQL stores no NUL in text or JSON, and a
    retry of the record as kept is still refused (as not UTF-8) until someone fixes it."""
    if isinstance(value, str):
        return value.replace("\x00", REPLACEMENT)
    if isinstance(value, dict):
        return {_no_nul(k): _no_nul(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_no_nul(v) for v in value]
    return value


def _store_rejects(conn: Connection, found: list[Reject], source: Source) -> None:
    if not found:
        return
    frame = pl.DataFrame(
        {
            "fingerprint": [_fingerprint(source, reject) for reject in found],
            "record_no": [reject.record_no for reject in found],
            "declaration_id": [
                _no_nul((reject.declaration_id or "")[:64]) or None for reject in found
            ],
            "item_no": [reject.item_no for reject in found],
            "field": [reject.issues[0].field[:64] for reject in found],
            "reason": [reject.issues[0].reason for reject in found],
            "issues": [
                json.dumps(_no_nul([issue.model_dump(mode="json") for issue in reject.issues]))
                for reject in found
            ],
            "raw": [json.dumps(_no_nul(reject.raw), default=str) for reject in found],
        },
        schema_overrides={"item_no": pl.Int64, "declaration_id": pl.String},
    ).with_columns(
        pl.lit(source.batch_id).alias("batch_id"),
        pl.lit(source.name).alias("source"),
        pl.lit(source.format).alias("format"),
        pl.lit(source.mapping).alias("mapping"),
        pl.lit("open").alias("status"),
        pl.lit(bulk.now()).alias("created_at"),
    )
    bulk.insert_frame(conn, "rejects", frame, frame.columns, ["fingerprint"])


def _add(summary: IngestSummary, tally: IngestSummary) -> None:
    summary.rows += tally.rows
    summary.accepted += tally.accepted
    summary.rejected += tally.rejected
    summary.duplicates += tally.duplicates
    summary.warnings = dict(Counter(summary.warnings) + Counter(tally.warnings))
    summary.errors = dict(Counter(summary.errors) + Counter(tally.errors))


__all__ = ["Progress", "Source", "file_sha256", "formats", "ingest_file", "reader", "store_chunk"]
