"""Small image files (valid magic bytes) for the inspection photo tests."""

from __future__ import annotations

import base64

# A 1x1 PNG, a browser shows it.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01" + bytes(64)
WEBP = b"RIFF\x1a\x00\x00\x00WEBPVP8 " + bytes(14)
