"""The photos of an inspection report over the API: attach (multipart, field ``photos``), list,
and fetch one by its SHA-256 (served with its stored media type, inline, never sniffed)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import Response

from borderlink.errors import Conflict, InvalidInput, NotFound
from borderlink.server.deps import NodeDep, allowed, blocking
from borderlink.server.openapi import raises
from borderlink.server.photo_response import photo_response
from borderlink.server.uploads import photo_files
from borderlink.services.accounts.access import Permission, Principal
from borderlink.services.coordination import photos

router = APIRouter(tags=["border post"])  # included in the border post's, under /api/v1

Inspector = Annotated[Principal, Depends(allowed(Permission.OUTCOMES_RECORD))]
DeclarationReader = Annotated[Principal, Depends(allowed(Permission.DECLARATIONS_READ))]
DeclarationId = Annotated[str, Path(min_length=1, max_length=64)]
Digest = Annotated[str, Path(pattern=r"^[0-9a-f]{64}$")]


@router.post(
    "/inspections/{declaration_id}/photos",
    responses=raises(InvalidInput, NotFound, Conflict),
    openapi_extra={
        "requestBody": {
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": {
                            "photos": {
                                "type": "array",
                                "items": {"type": "string", "format": "binary"},
                            }
                        },
                        "required": ["photos"],
                    }
                }
            }
        }
    },
)
async def attach_photos(
    declaration_id: DeclarationId, request: Request, node: NodeDep, principal: Inspector
) -> list[photos.PhotoView]:
    """Attach JPEG, PNG or WebP photos to the recorded inspection report (the same photo twice
    is stored once); all the report's photos."""
    form = await request.form(max_files=node.settings.max_photos_per_report + 1)
    try:
        files = await photo_files(form, node.settings, declaration_id)
    finally:
        await form.close()
    if not files:
        raise InvalidInput(f"declaration {declaration_id}: send photos", field=photos.FIELD)
    return await blocking(photos.attach, node, principal, declaration_id, files)


@router.get("/inspections/{declaration_id}/photos")
async def list_photos(
    declaration_id: DeclarationId, node: NodeDep, principal: DeclarationReader
) -> list[photos.PhotoView]:
    """The report's photos (without their bytes)."""
    return await blocking(photos.photos_for, node, principal, declaration_id)


@router.get(
    "/inspections/{declaration_id}/photos/{sha256}",
    responses={200: {"content": {"image/jpeg": {}, "image/png": {}, "image/webp": {}}}},
    response_class=Response,
)
async def get_photo(
    declaration_id: DeclarationId, sha256: Digest, node: NodeDep, principal: DeclarationReader
) -> Response:
    """One photo's bytes."""
    view, data = await blocking(photos.photo, node, principal, declaration_id, sha256)
    return photo_response(view, data)
