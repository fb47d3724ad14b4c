"""Large request bodies spooled to a file as they arrive: memory stays bounded, whatever the size.

The body is read in the chunks the server hands over, gathered up to ``BUFFER`` bytes and
written to a temporary file (``0600``, in ``<data_dir>/incoming``, ``0700``: on the node's disk,
not in a ``/tmp`` that may be memory). The route's byte ceiling is :mod:`.limits`' (413); the
file is the caller's to remove, and it is removed here when reading fails half way.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import IO

from fastapi import Request
from starlette.datastructures import FormData, UploadFile

from borderlink.server.deps import blocking
from borderlink.services.coordination.photos import FIELD, PhotoFile, too_large
from borderlink.settings import Settings

BUFFER = 1 << 20


def _open(folder: Path, prefix: str = "submission-", suffix: str = ".json") -> IO[bytes]:
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return tempfile.NamedTemporaryFile(dir=folder, prefix=prefix, suffix=suffix, delete=False)


def _discard(handle: IO[bytes], path: Path) -> None:
    handle.close()
    path.unlink(missing_ok=True)


async def spool_body(request: Request, folder: Path) -> Path:
    """Write the request body to a new file in ``folder``; its path."""
    handle = await blocking(_open, folder)
    path = Path(handle.name)
    try:
        pending = bytearray()
        async for chunk in request.stream():
            pending += chunk
            if len(pending) >= BUFFER:
                await blocking(handle.write, bytes(pending))
                pending.clear()
        if pending:
            await blocking(handle.write, bytes(pending))
    except BaseException:
        # Not awaited: this runs when the request is cancelled too, where awaiting cannot.
        _discard(handle, path)
        raise
    await blocking(handle.close)
    return path


async def spool_upload(upload: UploadFile, folder: Path) -> Path:
    """Copy a form's uploaded file to a new file in ``folder`` (as :func:`spool_body`); its path."""
    handle = await blocking(_open, folder, "upload-", "")
    path = Path(handle.name)
    try:
        while chunk := await upload.read(BUFFER):
            await blocking(handle.write, chunk)
    except BaseException:
        _discard(handle, path)
        raise
    await blocking(handle.close)
    return path


async def photo_files(form: FormData, settings: Settings, declaration_id: str) -> list[PhotoFile]:
    """The form's files under ``photos`` (an empty file input sends one nameless, empty file:
    none), each read no further than the photo size limit."""
    found: list[PhotoFile] = []
    for value in form.getlist(FIELD):
        if not isinstance(value, UploadFile):
            continue
        try:
            if not value.filename and not value.size:
                continue
            data = await value.read(settings.max_photo_bytes + 1)
            if len(data) > settings.max_photo_bytes:
                size = value.size or len(data)
                # The use case words the refusal (the handler's rule: services via blocking).
                raise await blocking(
                    too_large, declaration_id, value.filename or "", size, settings.max_photo_bytes
                )
            found.append(PhotoFile(value.filename or "photo", data))
        finally:
            await value.close()
    return found
