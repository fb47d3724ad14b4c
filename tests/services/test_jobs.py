"""Background jobs: run on the node's workers, progress recorded, read by their owner (and
administrators) only, and never left "running" by a process that is gone."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from sqlalchemy import insert

from borderlink.errors import InvalidInput, NotFound
from borderlink.services import Node, jobs
from borderlink.services.accounts.access import Principal, Role
from borderlink.store import bulk
from borderlink.store.jobs_tables import jobs as jobs_table

ALICE = Principal(user_id=11, username="alice", role=Role.OFFICER, office_id="OFA")
BOB = Principal(user_id=12, username="bob", role=Role.OFFICER, office_id="OFA")
ADMIN = Principal(user_id=13, username="root", role=Role.ADMINISTRATOR)


def wait(node: Node, job_id: str, until: tuple[str, ...] = ("done", "failed")) -> jobs.JobView:
    deadline = time.monotonic() + 30
    while (job := jobs.read(node, ADMIN, job_id)).state not in until:
        assert time.monotonic() < deadline, f"job still {job.state}"
        time.sleep(0.02)
    return job


def test_a_job_reports_its_progress_then_its_result(node: Node) -> None:
    steps = [threading.Event() for _ in range(3)]
    reached = [threading.Event() for _ in range(3)]

    def work(report: jobs.Report) -> dict[str, Any]:
        for n, step in enumerate(steps):
            assert step.wait(10)
            report(n + 1, 3)
            reached[n].set()
        return {"answer": 42}

    job_id = jobs.start(node, ALICE, "test", work, title="three steps", unit="steps", total=3)
    assert jobs.read(node, ALICE, job_id).state in ("queued", "running")
    seen = []
    for step, done in zip(steps, reached, strict=True):
        step.set()
        assert done.wait(10)
        seen.append(jobs.read(node, ALICE, job_id).done)
    assert seen == [1, 2, 3]  # done/total grows as the work goes
    job = wait(node, job_id)
    assert (job.state, job.done, job.total, job.unit) == ("done", 3, 3, "steps")
    assert job.result == {"answer": 42}
    assert job.started_at is not None
    assert job.finished_at is not None
    assert job.percent == 100


def test_a_failing_job_keeps_what_stopped_it_in_words(node: Node) -> None:
    def refused(report: jobs.Report) -> dict[str, Any]:
        raise InvalidInput("march.csv: empty CSV file (no header line)")

    def broken(report: jobs.Report) -> dict[str, Any]:
        raise RuntimeError("/srv/secret/path exploded")

    first = wait(node, jobs.start(node, ALICE, "test", refused, title="a", unit="rows"))
    second = wait(node, jobs.start(node, ALICE, "test", broken, title="b", unit="rows"))
    assert (first.state, first.error) == ("failed", "march.csv: empty CSV file (no header line)")
    assert second.state == "failed"
    assert second.error == jobs.UNEXPECTED  # no internals on a page
    locks = node.settings.data_dir / "job-locks"
    deadline = time.monotonic() + 10
    while list(locks.iterdir()):  # let go just after the job's end is recorded
        assert time.monotonic() < deadline, list(locks.iterdir())
        time.sleep(0.02)


def test_a_person_reads_their_own_jobs_and_administrators_everyones(node: Node) -> None:
    job_id = wait(
        node, jobs.start(node, ALICE, "test", lambda r: {}, title="x", unit="rows")
    ).job_id
    assert jobs.read(node, ALICE, job_id).actor == "alice"
    assert jobs.read(node, ADMIN, job_id).job_id == job_id
    with pytest.raises(NotFound):
        jobs.read(node, BOB, job_id)  # another officer: as if there were none
    assert [j.job_id for j in jobs.recent(node, ALICE)] == [job_id]
    assert jobs.recent(node, BOB) == []


def _left(node: Node, state: str) -> str:
    """A job row as a process that died would have left it."""
    job_id = f"left-{state}"
    with node.transaction() as conn:
        conn.execute(
            insert(jobs_table).values(
                job_id=job_id,
                kind="ingest",
                actor="alice",
                state=state,
                done=5,
                total=10,
                unit="rows",
                title="march.csv",
                created_at=bulk.now(),
                started_at=bulk.now() if state == "running" else None,
            )
        )
    return job_id


def test_jobs_left_running_by_a_stopped_process_are_marked_failed(node: Node) -> None:
    running, queued, done = _left(node, "running"), _left(node, "queued"), _left(node, "done")
    release = threading.Event()
    alive = jobs.start(
        node, ALICE, "test", lambda r: {"ok": release.wait(10)}, title="alive", unit="rows"
    )
    wait(node, alive, until=("running",))
    assert sorted(jobs.recover(node)) == [queued, running]
    for job_id in (running, queued):
        job = jobs.read(node, ALICE, job_id)
        assert (job.state, job.error) == ("failed", jobs.INTERRUPTED)
        assert job.finished_at is not None
    assert jobs.read(node, ALICE, done).state == "done"
    assert jobs.read(node, ALICE, alive).state == "running"  # this process's job runs on
    release.set()
    assert wait(node, alive).state == "done"
    assert jobs.recover(node) == []
