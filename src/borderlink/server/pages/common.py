"""What every page shares: templates, the signed-in principal, CSRF checks on forms."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar
from urllib.parse import quote

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel
from starlette.responses import Response

from borderlink.errors import InvalidInput, NotAuthenticated
from borderlink.server.deps import NodeDep, blocking, check_csrf, session_of
from borderlink.server.pages.registry import NavEntry
from borderlink.services.accounts.access import Permission, Principal, require

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))


async def page_principal(request: Request, node: NodeDep) -> Principal:
    """The signed-in person; without a session the error renderer sends them to sign in."""
    found = await blocking(session_of, request, node)
    if found is None:
        raise NotAuthenticated("sign in to see this page")
    principal, csrf = found
    request.state.principal = principal
    request.state.csrf_token = csrf
    return principal


PageUser = Annotated[Principal, Depends(page_principal)]


def page_allowed(permission: Permission) -> Any:
    async def check(principal: PageUser) -> Principal:
        require(principal, permission)
        return principal

    return Depends(check)


async def checked_form(request: Request) -> dict[str, str]:
    """The posted form, once its CSRF token matches the session's."""
    form = await request.form()
    values = {k: v for k, v in form.items() if isinstance(v, str)}
    check_csrf(values.get("csrf_token"), getattr(request.state, "csrf_token", ""))
    return values


F = TypeVar("F", bound=BaseModel)


def query_filter(model: type[F]) -> Callable[[Request], Awaitable[F]]:
    """A dependency reading a filter form from the query string; empty fields mean no filter."""

    async def parse(request: Request) -> F:  # async: no I/O, so no thread hop
        values = {k: v for k, v in request.query_params.items() if v != ""}
        try:
            return model(**{k: v for k, v in values.items() if k in model.model_fields})
        except ValueError as error:
            raise InvalidInput(f"filter not understood: {error}") from None

    return parse


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    principal: Principal | None = getattr(request.state, "principal", None)
    nav: list[NavEntry] = request.app.state.nav
    node = request.app.state.node
    return TEMPLATES.TemplateResponse(
        request,
        template,
        {
            "user": principal,
            "csrf_token": getattr(request.state, "csrf_token", None),
            "nav": [entry for entry in nav if entry.visible_to(principal)],
            "node_name": node.settings.node_name,
            **context,
        },
        status_code=status_code,
    )


def local_target(target: str | None, default: str = "/dashboard") -> str:
    """Only a path on this site may be a redirect target (no open redirect)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return default


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def render_error(request: Request, status: int, body: dict[str, Any]) -> Response:
    if status == 401:
        target = request.url.path
        if request.url.query:
            target += "?" + request.url.query
        return redirect(f"/login?next={quote(target)}" if request.method == "GET" else "/login")
    return render(request, "error.html", status_code=status, status=status, error=body)
