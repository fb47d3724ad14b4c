"""Ingest by upload: a file form (CSV, JSON, WCO DM XML, ... as registered), then the batch's
counts with a link to its rejects. The file is spooled to the node's ``incoming`` folder and
removed once read; the source recorded is the name the person gave, never the spool path."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from starlette.datastructures import UploadFile

from borderlink.errors import InvalidInput
from borderlink.server.deps import NodeDep, blocking
from borderlink.server.pages.common import checked_form, page_allowed, render
from borderlink.server.uploads import spool_upload
from borderlink.services.accounts.access import Permission, Principal
from borderlink.services.ingest.files import formats, ingest_file

router = APIRouter(include_in_schema=False)


@router.get("/ingest")
async def upload_form(
    request: Request,
    who: Annotated[Principal, page_allowed(Permission.DECLARATIONS_SUBMIT)],
) -> HTMLResponse:
    kinds = await blocking(formats)  # the registered readers: entry points, read from disk
    return render(request, "ingest.html", formats=kinds, summary=None, problem=None)


@router.post("/ingest")
async def upload(
    request: Request,
    node: NodeDep,
    who: Annotated[Principal, page_allowed(Permission.DECLARATIONS_SUBMIT)],
) -> HTMLResponse:
    fields = await checked_form(request)
    upload = (await request.form()).get("file")
    summary, problem = None, None
    if isinstance(upload, UploadFile) and not upload.filename:
        await upload.close()
    if not isinstance(upload, UploadFile) or not upload.filename:
        problem = InvalidInput("choose a file to upload", field="file").detail
    else:
        path = await spool_upload(upload, Path(node.settings.data_dir) / "incoming")
        try:
            summary = await blocking(
                ingest_file,
                node,
                who,
                path,
                format=fields.get("format", "csv"),
                name=os.path.basename(upload.filename),
            )
        except InvalidInput as error:
            problem = error.detail
        finally:
            await upload.close()  # the form's own spooled copy
            await blocking(path.unlink, missing_ok=True)
    kinds = await blocking(formats)
    return render(
        request,
        "ingest.html",
        status_code=200 if problem is None else 400,
        formats=kinds,
        summary=summary,
        problem=problem,
    )
