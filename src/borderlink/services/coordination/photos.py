"""Photos attached to an inspection report, stored on the node by content digest.

Who may record the declaration's outcome at its office (``outcomes:record``, their own office
for an officer) attaches photos, with the report or after it; whoever may read the declaration
sees them. The same photo twice is stored once; each photo stored is audited. The bytes stay on
the node: no record type the exchange serves has a field for them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Connection, insert, select

from borderlink.coordination.photos import FIELD as FIELD
from borderlink.coordination.photos import PhotoFile as PhotoFile
from borderlink.coordination.photos import check_photos
from borderlink.coordination.photos import too_large as too_large
from borderlink.errors import Conflict, NotFound
from borderlink.services.accounts import audit
from borderlink.services.accounts.access import Permission, Principal, require
from borderlink.services.coordination.declaration_office import office_of
from borderlink.services.node import Node
from borderlink.settings import Settings
from borderlink.store.coordination_tables import inspection_photos, inspection_reports

_VIEW = tuple(c for c in inspection_photos.c if c.name != "content")


class PhotoView(BaseModel):
    declaration_id: str
    sha256: str
    name: str
    media_type: str
    size: int
    uploaded_by: str
    uploaded_at: dt.datetime


def _view(row: Any) -> PhotoView:
    at = row.uploaded_at
    return PhotoView(
        declaration_id=row.declaration_id,
        sha256=row.sha256,
        name=row.name,
        media_type=row.media_type,
        size=row.size,
        uploaded_by=row.uploaded_by,
        uploaded_at=at if at.tzinfo else at.replace(tzinfo=dt.UTC),
    )


def _listed(conn: Connection, declaration_id: str) -> list[PhotoView]:
    query = (
        select(*_VIEW)
        .where(inspection_photos.c.declaration_id == declaration_id)
        .order_by(inspection_photos.c.uploaded_at, inspection_photos.c.name)
    )
    return [_view(row) for row in conn.execute(query)]


def store(
    conn: Connection,
    settings: Settings,
    principal: Principal,
    declaration_id: str,
    photos: Sequence[PhotoFile],
) -> None:
    """Store the photos new to the declaration's report, in the caller's transaction (checked
    first: one refused stores none)."""
    if not photos:
        return
    key = inspection_photos.c.declaration_id == declaration_id
    stored = set(conn.execute(select(inspection_photos.c.sha256).where(key)).scalars())
    new = check_photos(
        declaration_id,
        photos,
        max_bytes=settings.max_photo_bytes,
        max_count=settings.max_photos_per_report,
        stored=stored,
    )
    now = dt.datetime.now(dt.UTC)
    for photo, media_type in new:
        conn.execute(
            insert(inspection_photos).values(
                declaration_id=declaration_id,
                sha256=photo.sha256,
                name=photo.name,
                media_type=media_type,
                size=len(photo.data),
                content=photo.data,
                uploaded_by=principal.username,
                uploaded_at=now,
            )
        )
        audit.record(
            conn,
            actor=principal.username,
            action="inspection.photo.attach",
            object_type="declaration",
            object_id=declaration_id,
            reason=f"{photo.name} ({media_type}, {len(photo.data):,} bytes)",
            details={"sha256": photo.sha256, "name": photo.name, "size": len(photo.data)},
        )


def attach(
    node: Node, principal: Principal, declaration_id: str, photos: Sequence[PhotoFile]
) -> list[PhotoView]:
    """Attach photos to the declaration's recorded inspection report; all its photos."""
    require(principal, Permission.OUTCOMES_RECORD)
    with node.transaction() as conn:
        office_of(conn, principal, declaration_id)
        report = select(inspection_reports.c.version).where(
            inspection_reports.c.declaration_id == declaration_id
        )
        if conn.execute(report).first() is None:
            raise Conflict(
                f"declaration {declaration_id} has no inspection report yet: record it first",
                field="declaration_id",
            )
        store(conn, node.settings, principal, declaration_id, photos)
        return _listed(conn, declaration_id)


def photos_for(node: Node, principal: Principal, declaration_id: str) -> list[PhotoView]:
    """The photos of the declaration's inspection report (their descriptions, not the bytes)."""
    require(principal, Permission.DECLARATIONS_READ)
    with node.read() as conn:
        office_of(conn, principal, declaration_id)
        return _listed(conn, declaration_id)


def photo(
    node: Node, principal: Principal, declaration_id: str, sha256: str
) -> tuple[PhotoView, bytes]:
    """One photo of the report and its bytes."""
    require(principal, Permission.DECLARATIONS_READ)
    with node.read() as conn:
        office_of(conn, principal, declaration_id)
        row = conn.execute(
            select(inspection_photos).where(
                inspection_photos.c.declaration_id == declaration_id,
                inspection_photos.c.sha256 == sha256,
            )
        ).first()
    if row is None:
        raise NotFound(f"declaration {declaration_id} has no photo {sha256}", field="sha256")
    return _view(row), bytes(row.content)
