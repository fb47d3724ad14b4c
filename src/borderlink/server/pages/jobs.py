"""Background jobs' pages: one job's progress (refreshed until it ends, then what it did) and a
person's recent jobs. A page refreshes itself with ``<meta http-equiv="refresh">``: no script."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse

from borderlink.server.deps import NodeDep, blocking
from borderlink.server.pages.common import PageUser, render
from borderlink.services import jobs

router = APIRouter(include_in_schema=False)

REFRESH_S = 2  # how often a job's page reloads while the job runs


@router.get("/jobs")
async def jobs_page(request: Request, node: NodeDep, who: PageUser) -> HTMLResponse:
    found = await blocking(jobs.recent, node, who)
    return render(request, "jobs.html", jobs=found)


@router.get("/jobs/{job_id}")
async def job_page(
    request: Request,
    node: NodeDep,
    who: PageUser,
    job_id: Annotated[str, Path(max_length=36)],
) -> HTMLResponse:
    job = await blocking(jobs.read, node, who, job_id)
    return render(request, "job.html", job=job, refresh=None if job.finished else REFRESH_S)
