"""The inspection report form as posted: its fields (CSRF checked, NUL refused: the body is
multipart, its photos binary, so the edge's NUL check does not look inside) and its photos."""

from __future__ import annotations

from fastapi import Request

from borderlink.errors import InvalidInput
from borderlink.server.deps import check_csrf
from borderlink.server.uploads import photo_files
from borderlink.services.coordination.photos import PhotoFile
from borderlink.settings import Settings


async def report_form(
    request: Request, settings: Settings, declaration_id: str
) -> tuple[dict[str, str], list[PhotoFile]]:
    form = await request.form(max_files=settings.max_photos_per_report + 1)
    try:
        values = {k: v for k, v in form.items() if isinstance(v, str)}
        check_csrf(values.get("csrf_token"), getattr(request.state, "csrf_token", ""))
        for name, value in values.items():
            if "\x00" in value:
                raise InvalidInput("NUL characters are not accepted in a request", field=name)
        files = await photo_files(form, settings, declaration_id)
    finally:
        await form.close()
    return values, files
