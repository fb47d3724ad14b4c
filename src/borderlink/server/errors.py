"""Every failure becomes ``{"error": code, "detail": ..., "field": ...}``; never a stack trace.

The status comes from the one table in :mod:`borderlink.errors`, whoever raised: a service (a
:class:`~borderlink.errors.BorderLinkError`), FastAPI's request validation (answered as
``invalid_input``, with that row's status) or the framework itself (an unknown path, a wrong
method). Offers :func:`install` and :class:`ErrorBody` (the body, as documented in OpenAPI).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from borderlink.errors import BorderLinkError, InvalidInput, code_for_status, outcome_of

log = logging.getLogger("borderlink.server")


class ErrorBody(BaseModel):
    """What every error answer carries (never a stack trace)."""

    error: str = Field(description="The error code, e.g. `invalid_input`, `not_found`")
    detail: Any = Field(description="What went wrong, for a person")
    field: str | None = Field(
        default=None, description="The input the error is about, when there is one"
    )


# Pages register a renderer here, so that a browser gets an HTML page (or a redirect to sign-in)
# where a machine gets the JSON body; the status and the error code are the same.
MACHINE_PATHS = ("/api/", "/taxii2/")  # answered in JSON, always
HtmlRenderer = Callable[[Request, int, dict[str, Any]], Response]


TAXII_PATH = "/taxii2/"
TAXII_ERROR_MEDIA = "application/taxii+json;version=2.1"


def error_body(code: str, detail: Any, field: str | None = None) -> dict[str, Any]:
    return {"error": code, "detail": detail, "field": field}


def taxii_error_body(status: int, code: str, detail: Any) -> dict[str, Any]:
    """A TAXII 2.1 error message: a TAXII client reads these, not our own error body."""
    return {
        "title": code.replace("_", " "),
        "description": str(detail),
        "error_code": code,
        "http_status": str(status),
    }


def speaks_taxii(path: str) -> bool:
    """TAXII routes answer TAXII error messages, whoever refused the request (the schemas the
    node serves beside them are plain JSON documents)."""
    return path.startswith(TAXII_PATH) and "/schemas/" not in path


def machine_error(
    path: str, status: int, code: str, detail: Any, field: str | None = None
) -> tuple[dict[str, Any], str]:
    """The body and media type of an error answer to a machine at ``path``."""
    if speaks_taxii(path):
        return taxii_error_body(status, code, detail), TAXII_ERROR_MEDIA
    return error_body(code, detail, field), "application/json"


def _respond(
    request: Request, status: int, body: dict[str, Any], headers: Mapping[str, str] | None = None
) -> Response:
    render: HtmlRenderer | None = getattr(request.app.state, "render_error", None)
    path = request.url.path
    if render is not None and not path.startswith(MACHINE_PATHS):
        return render(request, status, body)
    content, media = machine_error(path, status, body["error"], body["detail"], body["field"])
    return JSONResponse(status_code=status, content=content, headers=headers, media_type=media)


async def _borderlink_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, BorderLinkError)
    status = outcome_of(error).http_status
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return _respond(request, status, error_body(error.code, error.detail, error.field), headers)


async def _validation_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, RequestValidationError)
    problems = error.errors()
    first = problems[0] if problems else {}
    location = [
        str(p) for p in first.get("loc", ()) if p not in ("body", "query", "path", "header")
    ]
    detail = "; ".join(
        f"{'.'.join(str(p) for p in e.get('loc', ())[1:]) or 'body'}: {e.get('msg')}"
        for e in problems
    )
    body = error_body(InvalidInput.code, detail or "invalid request", ".".join(location) or None)
    return _respond(request, outcome_of(InvalidInput).http_status, body)


async def _http_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, HTTPException)
    body = error_body(code_for_status(error.status_code), error.detail)
    return _respond(request, error.status_code, body, error.headers)


class CatchAll:
    """ASGI middleware: an unexpected exception is logged and answered with a generic 500."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def sending(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, sending)
        except Exception:
            log.exception("unhandled error on %s %s", scope.get("method"), scope.get("path"))
            if started:  # too late for a clean answer: the server closes the connection
                return
            content, media = machine_error(
                scope.get("path", ""),
                500,
                "internal_error",
                "an internal error occurred; it has been logged",
            )
            body = json.dumps(content).encode()
            await send(
                {
                    "type": "http.response.start",
                    "status": 500,
                    "headers": [
                        (b"content-type", media.encode()),
                        (b"content-length", str(len(body)).encode()),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": body})


def install(app: FastAPI) -> None:
    app.add_exception_handler(BorderLinkError, _borderlink_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_middleware(CatchAll)
