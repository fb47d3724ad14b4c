"""What a serving node does when it starts: jobs a stopped process left running are failed."""

from __future__ import annotations

import asyncio

from borderlink.server import create_app
from borderlink.services import Node, jobs
from borderlink.services.accounts.access import Principal
from borderlink.store import bulk
from borderlink.store.jobs_tables import jobs as jobs_table


def test_a_job_left_running_is_marked_failed_when_the_node_starts(node: Node) -> None:
    with node.transaction() as conn:
        conn.execute(
            jobs_table.insert().values(
                job_id="cut-short",
                kind="ingest",
                actor="alice",
                state="running",
                done=50_000,
                total=120_000,
                unit="rows",
                title="march.csv",
                created_at=bulk.now(),
                started_at=bulk.now(),
            )
        )
    app = create_app(node.settings, node=node, pages=False)

    async def start_and_stop() -> None:
        async with app.router.lifespan_context(app):
            pass

    asyncio.run(start_and_stop())
    job = jobs.read(node, Principal.system("t"), "cut-short")
    assert job.state == "failed"
    assert job.error == jobs.INTERRUPTED
    assert "restarted" in job.error
    assert job.finished_at is not None
