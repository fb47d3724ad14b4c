"""Photos attached to an inspection report: images only, known by their bytes.

A photo's kind is read from its first bytes (JPEG, PNG or WebP), never from the type the client
names: a file that is not one of these is refused, whatever it claims to be. Each has a size
limit and a report a number of photos at most; a refusal names the file and the field.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from borderlink.errors import InvalidInput

FIELD = "photos"
JPEG, PNG, WEBP = "image/jpeg", "image/png", "image/webp"


@dataclass(frozen=True)
class PhotoFile:
    """One uploaded file, as it came: its name (the client's) and its bytes."""

    name: str
    data: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def sniff(data: bytes) -> str | None:
    """The image type ``data`` starts as (JPEG, PNG, WebP), or None for anything else."""
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return WEBP
    return None


def clean_name(name: str) -> str:
    """The file's base name, printable and at most 200 characters (never a path)."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    kept = "".join(c for c in base if c.isprintable()).strip()
    return (kept or "photo")[:200]


def too_large(declaration_id: str, name: str, size: int, max_bytes: int) -> InvalidInput:
    return InvalidInput(
        f"declaration {declaration_id}: photo {clean_name(name)!r} is {size:,} bytes; a photo is "
        f"at most {max_bytes:,}",
        field=FIELD,
    )


def check_photos(
    declaration_id: str,
    photos: Sequence[PhotoFile],
    *,
    max_bytes: int,
    max_count: int,
    stored: set[str],
) -> list[tuple[PhotoFile, str]]:
    """Each photo new to the report with its media type; refuse a file that is not an image,
    one too large, or one too many (``stored``: the digests the report already has)."""
    where = f"declaration {declaration_id}"
    new: dict[str, tuple[PhotoFile, str]] = {}
    for photo in photos:
        name = clean_name(photo.name)
        if len(photo.data) > max_bytes:
            raise too_large(declaration_id, name, len(photo.data), max_bytes)
        media_type = sniff(photo.data)
        if media_type is None:
            raise InvalidInput(f"{where}: {name!r} is not a JPEG, PNG or WebP image", field=FIELD)
        digest = photo.sha256
        if digest not in stored:
            new.setdefault(digest, (PhotoFile(name, photo.data), media_type))
    if len(stored) + len(new) > max_count:
        raise InvalidInput(
            f"{where}: a report has at most {max_count} photos ({len(stored)} stored, "
            f"{len(new)} new)",
            field=FIELD,
        )
    return list(new.values())
