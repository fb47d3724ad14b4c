"""Response headers every answer carries (no framing, no sniffing, no third-party content),
and the client's address as far as it can be believed.

The address is the TCP peer's unless that peer is a configured trusted proxy
(``BORDERLINK_TRUSTED_PROXIES``): then ``X-Forwarded-For`` is read from the right, each trusted
proxy having appended the address it took the request from, and the first address that is not
a trusted proxy's is the client. What a client writes into the header itself sits to the left
of that and is never believed, so no one sheds the sign-in throttle's count by inventing one.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping, Sequence
from types import MappingProxyType

from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from borderlink.settings import Settings

Network = ipaddress.IPv4Network | ipaddress.IPv6Network

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
# Files that do not change while a node runs may be cached (the API docs' assets included).
CACHEABLE = ("/static/", "/api/v1/docs/assets/")


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = str(scope.get("path", "")).startswith(CACHEABLE)

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in HEADERS.items():
                    if static and name == "Cache-Control":
                        continue
                    # setdefault: a route that sets its own policy (the API docs) keeps it.
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, sending)


def _within(address: str, networks: Sequence[Network]) -> bool | None:
    """Whether ``address`` is in one of ``networks``; None when it is not an address."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return None
    return any(ip in network for network in networks)


def client_address(peer: str | None, forwarded: str | None, trusted: Sequence[str]) -> str | None:
    """The client's address: ``peer``, or, when the peer is a trusted proxy, the nearest
    address of ``forwarded`` (an X-Forwarded-For value) that is not a trusted proxy's."""
    networks = [ipaddress.ip_network(entry, strict=False) for entry in trusted]
    if peer is None or not networks or not forwarded or not _within(peer, networks):
        return peer
    address = peer
    for hop in reversed(forwarded.split(",")):
        inside = _within(hop.strip(), networks)
        if inside is None:  # not an address: nothing left of it can be believed
            return address
        address = hop.strip()
        if not inside:
            return address
    return address


def request_address(request: Request, settings: Settings) -> str | None:
    """The address a request comes from, as :func:`client_address` decides."""
    peer = request.client.host if request.client else None
    forwarded = request.headers.get("x-forwarded-for")
    return client_address(peer, forwarded, settings.trusted_proxies)
