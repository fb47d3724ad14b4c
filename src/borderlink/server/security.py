"""Response headers every answer carries: no framing, no sniffing, no third-party content."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

HEADERS: Mapping[str, str] = MappingProxyType(
    {
        # Pages use only their own stylesheet and inline SVG; no script at all.
        "Content-Security-Policy": (
            "default-src 'self'; script-src 'none'; object-src 'none'; frame-ancestors 'none'; "
            "base-uri 'none'; form-action 'self'"
        ),
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "same-origin",
        "Cache-Control": "no-store",
    }
)
# The interactive API docs load their own script; they keep the other headers.
DOCS = "/api/v1/docs"


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        docs = str(scope.get("path", "")).startswith(DOCS)
        static = str(scope.get("path", "")).startswith("/static/")

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in HEADERS.items():
                    if (docs and name == "Content-Security-Policy") or (
                        static and name == "Cache-Control"
                    ):
                        continue
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, sending)
