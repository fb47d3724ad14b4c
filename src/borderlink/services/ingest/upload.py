"""Ingest an uploaded file as a background job: the upload page's use case.

:func:`start_upload` takes a file already spooled to the node's disk, queues its ingest on the
node's workers (:mod:`borderlink.services.jobs`) and returns at once with the job's id; the job
counts the file's rows first where that is cheap (:func:`count_records`: CSV), then reports the
rows stored chunk by chunk. From then on the file is the job's: it is removed once read,
whatever happens, and nothing the person sees names it (only the name they gave).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from borderlink.errors import BorderLinkError
from borderlink.ingest import reader
from borderlink.services import jobs
from borderlink.services.accounts.access import Permission, Principal, require
from borderlink.services.ingest.files import ingest_file
from borderlink.services.node import Node


def count_records(path: Path, fmt: str) -> int | None:
    """Data rows in a CSV file (for a progress bar); None when it cannot be told cheaply."""
    if fmt != "csv" or not path.is_file():
        return None  # a missing file is the service's to refuse, in its own words
    lines = 0
    last = b"\n"
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            lines += block.count(b"\n")
            last = block[-1:]
    return max(lines - (1 if last == b"\n" else 0), 0)


def start_upload(
    node: Node,
    principal: Principal,
    path: Path,
    *,
    format: str,
    name: str,
    chunk_rows: int | None = None,
) -> str:
    """Queue the ingest of the spooled file ``path`` (recorded as ``name``): the job's id."""
    try:
        require(principal, Permission.DECLARATIONS_SUBMIT)
        reader(format)  # an unknown format is refused now, not after a wait

        def work(report: jobs.Report) -> dict[str, Any]:
            return _ingest(node, principal, path, format, name, report, chunk_rows)

        return jobs.start(node, principal, "ingest", work, title=name, unit="rows")
    except BaseException:
        path.unlink(missing_ok=True)
        raise


def _ingest(
    node: Node,
    principal: Principal,
    path: Path,
    format: str,
    name: str,
    report: jobs.Report,
    chunk_rows: int | None,
) -> dict[str, Any]:
    done = 0

    def progress(rows: int) -> None:
        nonlocal done
        done += rows
        report(done, None)

    try:
        report(0, count_records(path, format))  # counted here: the upload's answer waits for none
        summary = ingest_file(
            node,
            principal,
            path,
            format=format,
            name=name,
            progress=progress,
            chunk_rows=chunk_rows,
        )
    except BorderLinkError as error:
        error.detail = error.detail.replace(str(path), name)  # the spool's path is no one's
        raise
    finally:
        path.unlink(missing_ok=True)
    return {"batch_id": summary.batch_id, "source": summary.source, **summary.public()}
