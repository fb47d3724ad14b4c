"""Background jobs: work started from a page runs on the node's workers, its progress recorded.

A page that would keep a person waiting (an upload, a retrain) starts a job instead
(:func:`start`) and sends them to its page, which reads it (:func:`read`) until it is done. The
job runs in this process, on the node's bounded pool (``node.runtime.workers()``), as the
principal who started it; it reports its progress (:func:`report_progress`) and ends
:func:`finish`-ed with its summary or :func:`fail`-ed with what stopped it, in words.

A person reads their own jobs; administrators read everyone's. Someone else's job is not found
(404), so job ids tell nothing about other people's work.

While a job is queued or running, its process holds an exclusive lock on a file of its own under
the node's data directory (as ingest batches do, :mod:`borderlink.services.ingest.batches`); the
kernel releases it when the process ends, however it ends. :func:`recover` (run when the node
starts serving) marks failed every job left queued or running whose lock is free, with the
reason, so nothing stays "running" forever. The lock lives on the node's disk: on a PostgreSQL
node served from several machines, run the pages that start jobs from one of them.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import logging
import os
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select, update

from borderlink.errors import BorderLinkError, NotFound
from borderlink.services.accounts.access import Principal, Role
from borderlink.services.locks import held
from borderlink.services.node import Node
from borderlink.store import bulk
from borderlink.store.jobs_tables import jobs

log = logging.getLogger("borderlink.jobs")

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
ACTIVE = (QUEUED, RUNNING)
INTERRUPTED = "the node stopped before this job finished (it was restarted); start it again"
UNEXPECTED = "the job stopped on an unexpected error; the node's log has the details"
RECENT = 50  # jobs listed on a person's jobs page

Report = Callable[[int, int | None], None]  # (done so far, total or None when unknown)
Work = Callable[[Report], dict[str, Any]]  # the job itself: returns its summary


@dataclass(frozen=True)
class JobView:
    job_id: str
    kind: str
    actor: str
    state: str
    done: int
    total: int | None
    unit: str
    title: str
    result: dict[str, Any] | None
    error: str | None
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None

    @property
    def finished(self) -> bool:
        return self.state in (DONE, FAILED)

    @property
    def percent(self) -> int | None:
        """How far it is, 0-100 (None while the total is unknown)."""
        if self.state == DONE:
            return 100
        if not self.total:
            return None
        return min(100, self.done * 100 // self.total)


def _lock_path(node: Node, job_id: str) -> Path:
    folder = Path(node.settings.data_dir) / "job-locks"
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return folder / f"{job_id}.lock"


def _hold(node: Node, job_id: str) -> int:
    """Take the job's liveness lock: the descriptor holding it."""
    descriptor = os.open(_lock_path(node, job_id), os.O_CREAT | os.O_RDWR, 0o600)
    fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    return descriptor


def _release(node: Node, job_id: str, descriptor: int) -> None:
    os.close(descriptor)
    _lock_path(node, job_id).unlink(missing_ok=True)


def _is_alive(node: Node, job_id: str) -> bool:
    return held(_lock_path(node, job_id))


def start(
    node: Node,
    principal: Principal,
    kind: str,
    work: Work,
    *,
    title: str,
    unit: str,
    total: int | None = None,
) -> str:
    """Record a job for ``principal`` and queue ``work`` on the node's workers: the job's id.

    The use case that calls this authorises first; ``work`` runs as that same principal. When
    the workers' backlog is full the job is not recorded and :class:`Conflict` says so."""
    job_id = str(uuid.uuid4())
    # The lock first: a node starting meanwhile never takes the new row for a dead process's.
    descriptor = _hold(node, job_id)
    try:
        with node.transaction() as conn:
            conn.execute(
                insert(jobs).values(
                    job_id=job_id,
                    kind=kind,
                    actor=principal.username,
                    state=QUEUED,
                    done=0,
                    total=total,
                    unit=unit,
                    title=title,
                    created_at=bulk.now(),
                )
            )
        try:
            node.runtime.workers().submit(lambda: _run(node, job_id, descriptor, work))
        except BaseException:
            with node.transaction() as conn:
                conn.execute(jobs.delete().where(jobs.c.job_id == job_id))
            raise
    except BaseException:
        _release(node, job_id, descriptor)
        raise
    return job_id


def _run(node: Node, job_id: str, descriptor: int, work: Work) -> None:
    """On a worker: mark it running, do it, record how it ended; then let go of its lock."""
    try:
        with node.transaction() as conn:
            conn.execute(
                update(jobs)
                .where(jobs.c.job_id == job_id)
                .values(state=RUNNING, started_at=bulk.now())
            )
        try:
            result = work(lambda done, total: report_progress(node, job_id, done, total))
        except BorderLinkError as error:
            fail(node, job_id, error.detail)
        except Exception:
            log.exception("job %s failed", job_id)
            fail(node, job_id, UNEXPECTED)
        else:
            finish(node, job_id, result)
    finally:
        _release(node, job_id, descriptor)


def report_progress(node: Node, job_id: str, done: int, total: int | None = None) -> None:
    """How far a running job is: ``done`` of ``total`` units (the total kept when None)."""
    values: dict[str, Any] = {"done": done}
    if total is not None:
        values["total"] = total
    with node.transaction() as conn:
        conn.execute(
            update(jobs)
            .where(jobs.c.job_id == job_id)
            .where(jobs.c.state == RUNNING)
            .values(values)
        )


def finish(node: Node, job_id: str, result: dict[str, Any]) -> None:
    """The job is done: its summary; a known total counts as reached."""
    with node.transaction() as conn:
        row = conn.execute(select(jobs.c.done, jobs.c.total).where(jobs.c.job_id == job_id)).one()
        conn.execute(
            update(jobs)
            .where(jobs.c.job_id == job_id)
            .values(
                state=DONE,
                result=result,
                done=max(row.done, row.total or 0),
                finished_at=bulk.now(),
            )
        )


def fail(node: Node, job_id: str, error: str) -> None:
    """The job stopped: what stopped it, in words a person can act on."""
    with node.transaction() as conn:
        conn.execute(
            update(jobs)
            .where(jobs.c.job_id == job_id)
            .values(state=FAILED, error=error, finished_at=bulk.now())
        )


def _sees_all(principal: Principal) -> bool:
    return principal.role is Role.ADMINISTRATOR


def _view(row: Any) -> JobView:
    return JobView(**{name: getattr(row, name) for name in JobView.__dataclass_fields__})


def read(node: Node, principal: Principal, job_id: str) -> JobView:
    """One job: the principal's own, or anyone's for an administrator; otherwise not found."""
    query = select(jobs).where(jobs.c.job_id == job_id)
    if not _sees_all(principal):
        query = query.where(jobs.c.actor == principal.username)
    with node.read() as conn:
        row = conn.execute(query).first()
    if row is None:
        raise NotFound(f"no job {job_id}", field="job_id")
    return _view(row)


def recent(node: Node, principal: Principal, *, limit: int = RECENT) -> list[JobView]:
    """The principal's own jobs, newest first (an administrator's list is theirs too)."""
    query = (
        select(jobs)
        .where(jobs.c.actor == principal.username)
        .order_by(jobs.c.created_at.desc())
        .limit(limit)
    )
    with node.read() as conn:
        return [_view(row) for row in conn.execute(query)]


def recover(node: Node) -> list[str]:
    """Jobs left queued or running by a process that is gone, now failed with the reason."""
    with node.read() as conn:
        ids = conn.execute(select(jobs.c.job_id).where(jobs.c.state.in_(ACTIVE))).scalars().all()
    dead = [job_id for job_id in ids if not _is_alive(node, job_id)]
    if dead:
        with node.transaction() as conn:
            conn.execute(
                update(jobs)
                .where(jobs.c.job_id.in_(dead))
                .where(jobs.c.state.in_(ACTIVE))
                .values(state=FAILED, error=INTERRUPTED, finished_at=bulk.now())
            )
    for job_id in dead:
        _lock_path(node, job_id).unlink(missing_ok=True)
    return dead


__all__ = [
    "JobView",
    "Report",
    "Work",
    "fail",
    "finish",
    "read",
    "recent",
    "recover",
    "report_progress",
    "start",
]
