"""Ingest batches: started, counted per chunk, finished; a killed one is found and resumed.

While a batch runs, its process holds an exclusive lock on a file of its own under the node's
data directory; the kernel releases it when the process dies, however it dies (``kill -9``
included). So a batch marked ``running`` whose lock is free is one whose process is gone: the
next ingest marks it ``interrupted``, and an ingest of the same file (same checksum, format and
mapping) resumes it: same batch, its counts so far, the rows it already stored skipped.

The lock lives on the node's disk, so on a PostgreSQL node shared by several machines a batch
running on another machine looks interrupted from here: run ingests from one machine.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, insert, select, update

from borderlink.model import IngestSummary
from borderlink.services.locks import held
from borderlink.services.node import Node
from borderlink.store import bulk
from borderlink.store.tables import ingest_batches

RESUMABLE = ("interrupted", "failed")


@dataclass(frozen=True)
class Source:
    """Where rows came from: recorded on every reject so it can be retried."""

    batch_id: str
    name: str
    sha256: str
    format: str
    mapping: str


def _lock_path(node: Node, batch_id: str) -> Path:
    folder = Path(node.settings.data_dir) / "ingest-locks"
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return folder / f"{batch_id}.lock"


@contextmanager
def running(node: Node, batch_id: str) -> Iterator[None]:
    """Hold the batch's liveness lock while the block runs."""
    path = _lock_path(node, batch_id)
    descriptor = os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        yield
    finally:
        os.close(descriptor)
        path.unlink(missing_ok=True)


def _is_alive(node: Node, batch_id: str) -> bool:
    return held(_lock_path(node, batch_id))


def mark_interrupted(node: Node) -> list[str]:
    """Batches marked ``running`` whose process is gone, now marked ``interrupted``."""
    with node.read() as conn:
        ids = conn.execute(
            select(ingest_batches.c.batch_id).where(ingest_batches.c.status == "running")
        ).scalars()
        dead = [batch_id for batch_id in ids if not _is_alive(node, batch_id)]
    if dead:
        with node.transaction() as conn:
            conn.execute(
                update(ingest_batches)
                .where(ingest_batches.c.batch_id.in_(dead))
                .where(ingest_batches.c.status == "running")
                .values(status="interrupted", finished_at=bulk.now())
            )
    return dead


def resumable(node: Node, sha256: str, format: str, mapping: str) -> IngestSummary | None:
    """The counts of the latest interrupted (or failed) batch of this very file, if any."""
    with node.read() as conn:
        row = conn.execute(
            select(ingest_batches)
            .where(ingest_batches.c.source_sha256 == sha256)
            .where(ingest_batches.c.format == format)
            .where(ingest_batches.c.mapping == mapping)
            .where(ingest_batches.c.status.in_(RESUMABLE))
            .order_by(ingest_batches.c.started_at.desc())
            .limit(1)
        ).first()
    if row is None:
        return None
    return IngestSummary(
        batch_id=row.batch_id,
        source=row.source,
        rows=row.rows,
        accepted=row.accepted,
        rejected=row.rejected,
        duplicates=row.duplicates,
        warnings=row.warnings or {},
        errors=row.errors or {},
    )


def start(conn: Connection, source: Source) -> None:
    conn.execute(
        insert(ingest_batches).values(
            batch_id=source.batch_id,
            source=source.name,
            source_sha256=source.sha256,
            format=source.format,
            mapping=source.mapping,
            status="running",
            started_at=bulk.now(),
        )
    )


def save_counts(conn: Connection, summary: IngestSummary, *, status: str) -> None:
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
