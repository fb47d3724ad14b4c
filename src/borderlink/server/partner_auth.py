"""The dependency for routes partner nodes call: the caller, from its signed request (RFC 9421).

``Caller`` in a route's signature makes the route partner-only: the request must carry a valid
HTTP message signature for this node, with a nonce never seen before; user tokens play no part.
The checking is :func:`borderlink.services.exchange.requests.authenticate_request`. ``Reader``
(the TAXII reads) also takes a partner's read-only credentials (HTTP Basic,
:mod:`borderlink.services.exchange.credentials`) and answers as that partner.
"""

from __future__ import annotations

import base64
from typing import Annotated

from fastapi import Depends, Request

from borderlink.errors import IntegrityFailure, NotAuthenticated, PermissionDenied, ReplayDetected
from borderlink.server.deps import blocking
from borderlink.server.openapi import raising
from borderlink.services.cooperation import Partner
from borderlink.services.exchange.credentials import reader
from borderlink.services.exchange.requests import authenticate_request
from borderlink.services.node import Node


def target_uri(request: Request) -> str:
    """The absolute URI as the caller addressed it: scheme, Host, the raw path and query."""
    path = request.scope.get("raw_path") or request.url.path.encode()
    query = request.scope.get("query_string") or b""
    host = request.headers.get("host") or request.url.netloc
    uri = f"{request.url.scheme}://{host}{path.decode('latin-1')}"
    return uri + ("?" + query.decode("latin-1") if query else "")


def _anonymous(request: Request) -> bool:
    headers = request.headers
    return "signature" not in headers and "authorization" not in headers


@raising(NotAuthenticated, PermissionDenied, IntegrityFailure, ReplayDetected)
async def partner_caller(request: Request) -> Partner:
    """The partner node whose signature this request carries: :class:`NotAuthenticated` with no
    credentials at all, else a bad or a replayed signature is refused."""
    if _anonymous(request):
        raise NotAuthenticated("a partner's call needs its HTTP message signature")
    node: Node = request.app.state.node
    return await blocking(
        authenticate_request,
        node,
        method=request.method,
        url=target_uri(request),
        headers=request.headers,
        body=await request.body(),
    )


def _basic(request: Request) -> tuple[str, str] | None:
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        username, colon, password = base64.b64decode(value, validate=True).decode().partition(":")
    except (ValueError, UnicodeDecodeError) as error:
        raise NotAuthenticated("malformed HTTP Basic credentials") from error
    if not colon:
        raise NotAuthenticated("malformed HTTP Basic credentials")
    return username, password


@raising(NotAuthenticated, PermissionDenied, IntegrityFailure, ReplayDetected)
async def partner_reader(request: Request) -> Partner:
    """Who reads TAXII: a partner node's signed request, or the partner's read-only credentials
    (HTTP Basic, for its standard tools): either way the partner, seeing what it may see."""
    basic = _basic(request)
    if basic is None:
        return await partner_caller(request)
    node: Node = request.app.state.node
    return await blocking(reader, node, *basic)


Caller = Annotated[Partner, Depends(partner_caller)]
# The TAXII reads (GET only): a signature, or the partner's read-only credentials.
Reader = Annotated[Partner, Depends(partner_reader)]
