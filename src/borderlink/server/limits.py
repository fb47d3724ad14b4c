"""Request body limits, per route, and NUL refused at the edge.

A body is never read past its route's limit: the sign-in routes take a few kilobytes
(``max_auth_body_bytes``: an anonymous caller must not make the node hold 100 MB), declaration
submissions (the API's, and a file uploaded on the upload page) ``max_submission_bytes``,
everything else ``max_body_bytes``. A declared
``Content-Length`` over the limit is answered 413 before a byte is read; a body that grows past
it (chunked, or lying about its length) is cut off with the same 413, in the one error body.

A NUL character, which no value type accepts and PostgreSQL cannot store, is refused as invalid
input (the status the one error table gives it) wherever it comes: in the path, the query, or
the body (raw, JSON-escaped as ``\\u0000``, or form-encoded as ``%00``). An API query parameter
given twice is refused too: each takes one value.
"""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qsl

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from borderlink.errors import InvalidInput, code_for_status, outcome_of
from borderlink.server.errors import machine_error
from borderlink.settings import Settings

AUTH_PATHS = ("/api/v1/auth/", "/login", "/logout")
SUBMISSION_PATHS = ("/api/v1/declarations", "/ingest")  # the API's, and the upload page's
# How NUL looks in a body: raw or JSON-escaped (and form-encoded, in a form). An escaped
# backslash before "u0000" is text, and refusing that too is the price of not decoding here.
NUL_MARKS = (b"\x00", b"\\u0000")
# Where photos are posted (multipart, binary): up to a report's photos at their size limit,
# and no NUL check in the body (an image has NUL bytes; the form's text fields are checked
# where they are read, and the images by their own bytes).
PHOTO_PATHS = re.compile(
    r"^/(?:api/v1/inspections/[^/]+/photos|declarations/[^/]+/inspection-report)$"
)
NUL_DETAIL = "NUL characters are not accepted in a request"


def limit_for(settings: Settings, method: str, path: str) -> int:
    if path.startswith(AUTH_PATHS):
        return settings.max_auth_body_bytes
    if method == "POST" and path.rstrip("/") in SUBMISSION_PATHS:
        return settings.max_submission_bytes
    if method == "POST" and PHOTO_PATHS.match(path):
        photos = settings.max_photo_bytes * settings.max_photos_per_report
        return max(settings.max_body_bytes, photos + settings.max_body_bytes)
    return settings.max_body_bytes


async def _answer(send: Send, scope: Scope, status: int, code: str, detail: str) -> None:
    body, media = machine_error(scope.get("path", ""), status, code, detail)
    data = json.dumps(body).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", media.encode()),
                (b"content-length", str(len(data)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": data})


def _too_large(limit: int) -> str:
    return f"the request body is larger than this route takes ({limit:,} bytes)"


def _marks(scope: Scope, headers: dict[bytes, bytes]) -> tuple[bytes, ...]:
    content_type = headers.get(b"content-type", b"")
    if content_type.startswith(b"multipart/form-data") and PHOTO_PATHS.match(scope["path"]):
        return ()
    form = headers.get(b"content-type", b"").startswith(b"application/x-www-form-urlencoded")
    return (*NUL_MARKS, b"%00") if form else NUL_MARKS


def _repeated_parameter(scope: Scope) -> str | None:
    """The first query parameter of an API call given twice: every one of the API's takes a
    single value, and silently keeping the last of several would answer another question."""
    if not scope.get("path", "").startswith("/api/"):
        return None
    raw: bytes = scope.get("query_string", b"")
    query = raw.decode("latin-1")
    seen: set[str] = set()
    for name, _ in parse_qsl(query, keep_blank_values=True):
        if name in seen:
            return name
        seen.add(name)
    return None


class BodyLimits:
    """ASGI middleware: the per-route body limit and the NUL check, before any handler reads."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        target = scope.get("raw_path", b"") + b"?" + scope.get("query_string", b"")
        if b"%00" in target or b"\x00" in target:
            status = outcome_of(InvalidInput).http_status
            await _answer(send, scope, status, InvalidInput.code, NUL_DETAIL)
            return
        repeated = _repeated_parameter(scope)
        if repeated is not None:
            status = outcome_of(InvalidInput).http_status
            detail = f"the query parameter {repeated!r} is given more than once; it takes one value"
            await _answer(send, scope, status, InvalidInput.code, detail)
            return
        limit = limit_for(self.settings, scope.get("method", "GET"), scope.get("path", ""))
        headers = dict(scope.get("headers", []))
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await _answer(send, scope, 413, code_for_status(413), _too_large(limit))
            return
        marks = _marks(scope, headers)
        seen = 0
        tail = b""

        async def receiving() -> Message:
            nonlocal seen, tail
            message = await receive()
            if message["type"] == "http.request":
                chunk: bytes = message.get("body", b"")
                seen += len(chunk)
                if seen > limit:
                    raise HTTPException(413, _too_large(limit))
                window = tail + chunk  # a mark may straddle two chunks
                if any(mark in window for mark in marks):
                    # An HTTP error, so that the framework's body parsing passes it on as it is.
                    raise HTTPException(outcome_of(InvalidInput).http_status, NUL_DETAIL)
                tail = window[-8:]
            return message

        await self.app(scope, receiving, send)
