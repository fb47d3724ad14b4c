"""Ingest by upload: a file form (CSV, JSON, WCO DM XML, ... as registered). The file is spooled
to the node's ``incoming`` folder and its ingest runs as a background job: the person is sent to
the job's page (:mod:`.jobs`), which shows its progress, then the batch's counts with a link to
its rejects. The spool is removed once read; the source recorded is the name the person gave,
never the spool path."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from starlette.datastructures import UploadFile
from starlette.responses import Response

from borderlink.errors import InvalidInput
from borderlink.server.deps import NodeDep, blocking
from borderlink.server.pages.common import checked_form, page_allowed, redirect, render
from borderlink.server.uploads import spool_upload
from borderlink.services.accounts.access import Permission, Principal
from borderlink.services.ingest.files import formats
from borderlink.services.ingest.upload import start_upload

router = APIRouter(include_in_schema=False)


@router.get("/ingest")
async def upload_form(
    request: Request,
    who: Annotated[Principal, page_allowed(Permission.DECLARATIONS_SUBMIT)],
) -> HTMLResponse:
    kinds = await blocking(formats)  # the registered readers: entry points, read from disk
    return render(request, "ingest.html", formats=kinds, problem=None)


@router.post("/ingest")
async def upload(
    request: Request,
    node: NodeDep,
    who: Annotated[Principal, page_allowed(Permission.DECLARATIONS_SUBMIT)],
) -> Response:
    """Spool the file, queue its ingest and send the person to the job's page (its progress)."""
    fields = await checked_form(request)
    upload = (await request.form()).get("file")
    if isinstance(upload, UploadFile) and not upload.filename:
        await upload.close()
    if not isinstance(upload, UploadFile) or not upload.filename:
        return await _form_again(request, "choose a file to upload")
    try:
        path = await spool_upload(upload, Path(node.settings.data_dir) / "incoming")
    finally:
        await upload.close()  # the form's own spooled copy
    try:
        # The spool is the job's from here (removed once read, or when it cannot be queued).
        job_id = await blocking(
            start_upload,
            node,
            who,
            path,
            format=fields.get("format", "csv"),
            name=os.path.basename(upload.filename),
        )
    except InvalidInput as error:  # an unknown format: said on the form, at once
        return await _form_again(request, error.detail)
    return redirect(f"/jobs/{job_id}")


async def _form_again(request: Request, problem: str) -> HTMLResponse:
    kinds = await blocking(formats)
    return render(request, "ingest.html", status_code=400, formats=kinds, problem=problem)
