"""A stored photo as an answer (the API's and the pages'): its stored media type, shown inline,
never sniffed, under a policy that lets it load nothing and run nothing."""

from __future__ import annotations

from urllib.parse import quote

from fastapi.responses import Response

from borderlink.services.coordination.photos import PhotoView

# Only the node's own image, nothing it could load or run; a sandbox if opened on its own.
PHOTO_POLICY = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"


def photo_response(view: PhotoView, data: bytes) -> Response:
    """A stored photo as the browser must take it: its stored type, shown inline, not sniffed."""
    plain = view.name.encode("ascii", "replace").decode().replace('"', "'").replace("\\", "_")
    disposition = f"inline; filename=\"{plain}\"; filename*=UTF-8''{quote(view.name)}"
    return Response(
        data,
        media_type=view.media_type,
        headers={
            "Content-Disposition": disposition,
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": PHOTO_POLICY,
        },
    )
