"""What every endpoint may ask for: the node, the signed-in principal, a permission; and
:func:`blocking`, the one way a handler runs blocking work (database, CPU) off the event loop.

The rule, in the API and the pages alike: handlers and dependencies are ``async def``, and every
call that may block goes through :func:`blocking` (``tests/server/test_deps.py`` enforces it).

Two ways in: ``Authorization: Bearer bl_...`` (API tokens, for machines) or the session cookie
(browsers). Cookie-authenticated writes must echo the session's CSRF token in ``X-CSRF-Token``
(the pages send it as a form field, checked in :mod:`borderlink.server.pages.common`); bearer
tokens are not sent by browsers on their own, so they need no CSRF token.
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Annotated, Any, TypeVar

from anyio.to_thread import run_sync
from fastapi import Depends, Request, Response
from fastapi.security import APIKeyCookie, HTTPAuthorizationCredentials, HTTPBearer

from borderlink.errors import NotAuthenticated, PermissionDenied
from borderlink.server.openapi import raising
from borderlink.services.accounts import users as accounts
from borderlink.services.accounts.access import Permission, Principal, require
from borderlink.services.node import Node

SESSION_COOKIE = "borderlink_session"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

_bearer = HTTPBearer(auto_error=False, description="An API token: bl_<id>_<secret>")
_cookie = APIKeyCookie(
    name=SESSION_COOKIE, auto_error=False, description="Browser session (from /auth/login)"
)


async def get_node(request: Request) -> Node:  # async: no I/O, so no thread hop
    node: Node = request.app.state.node
    return node


NodeDep = Annotated[Node, Depends(get_node)]

T = TypeVar("T")


async def blocking(function: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
    """Run a (blocking, database) service call in one hop to a worker thread.

    Handlers are ``async`` and call services through this: a request then pays one thread
    switch for its work instead of one per sync dependency plus one for validating the response,
    and the event loop (every other request, the audit sealer) never waits on it.
    """
    return await run_sync(partial(function, *args, **kwargs))


def session_of(request: Request, node: Node) -> tuple[Principal, str] | None:
    """The principal and CSRF token of the request's session cookie, or None without one."""
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        return None
    return accounts.session_principal(node, cookie)


def check_csrf(sent: str | None, expected: str) -> None:
    if not sent or not secrets.compare_digest(sent, expected):
        raise PermissionDenied("missing or wrong CSRF token", field=CSRF_HEADER)


def set_session_cookie(response: Response, secure: bool, opened: accounts.SessionOpened) -> None:
    """Hand the browser its session (the API's sign-in and the sign-in page alike)."""
    response.set_cookie(
        SESSION_COOKIE,
        opened.token,
        expires=opened.expires_at,
        httponly=True,
        secure=secure,
        samesite="strict",
        path="/",
    )


@raising(NotAuthenticated, PermissionDenied)  # no credentials; a cookie write without CSRF token
async def current_principal(
    request: Request,
    node: NodeDep,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    _session: Annotated[str | None, Depends(_cookie)],
) -> Principal:
    # The lookup is blocking database I/O: one hop to a worker thread.
    if bearer is not None:
        principal = await blocking(accounts.token_principal, node, bearer.credentials)
    else:
        found = await blocking(session_of, request, node)
        if found is None:
            raise NotAuthenticated("sign in (POST /api/v1/auth/login) or send an API token")
        principal, csrf = found
        if request.method not in SAFE_METHODS:
            check_csrf(request.headers.get(CSRF_HEADER), csrf)
    request.state.principal = principal
    return principal


CurrentUser = Annotated[Principal, Depends(current_principal)]


def allowed(permission: Permission) -> Callable[[Principal], Awaitable[Principal]]:
    """A dependency: the current principal, if it holds ``permission``."""

    @raising(PermissionDenied)
    async def check(principal: CurrentUser) -> Principal:  # async: no I/O, so no thread hop
        require(principal, permission)
        return principal

    check.__name__ = f"allowed_{permission.value.replace(':', '_')}"
    return check
