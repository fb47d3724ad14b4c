"""Sign-in and sign-out pages."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from borderlink.errors import NotAuthenticated
from borderlink.server.deps import SESSION_COOKIE, NodeDep, blocking, set_session_cookie
from borderlink.server.pages import i18n
from borderlink.server.pages.common import PageUser, checked_form, local_target, redirect, render
from borderlink.server.pages.registry import Area
from borderlink.server.security import request_address
from borderlink.services.accounts import users as accounts

router = APIRouter(include_in_schema=False)


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


@router.get("/", response_model=None)
async def home(request: Request, principal: PageUser) -> HTMLResponse | RedirectResponse:
    """The first page this person may see (an auditor lands on the audit log)."""
    if principal.password_change_due:
        return redirect("/account/password")
    for entry in request.app.state.nav:
        if entry.visible_to(principal):
            return redirect(entry.path)
    return render(request, "home.html")


@router.get("/language")
async def choose_language(
    lang: Annotated[str, Query(max_length=8)], next: Annotated[str | None, Query()] = None
) -> RedirectResponse:
    """The language switcher in every page's header: remembered for a year, back to the page."""
    answer = redirect(local_target(next, "/"))
    if lang in i18n.LANGUAGES:
        answer.set_cookie(
            i18n.COOKIE, lang, max_age=365 * 86400, httponly=True, samesite="lax", path="/"
        )
    return answer


@router.get("/login")
async def login_form(request: Request, next: Annotated[str | None, Query()] = None) -> HTMLResponse:
    return render(request, "login.html", next=local_target(next, "/"), failed=False, message=None)


@router.post("/login", response_model=None)
async def login(
    request: Request,
    node: NodeDep,
    username: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=1024)],
    next: Annotated[str | None, Form()] = None,
) -> HTMLResponse | RedirectResponse:
    address = request_address(request, node.settings)
    try:
        signed = await blocking(
            accounts.sign_in, node, username, password, source="web", address=address
        )
    except NotAuthenticated as error:  # the same words whether or not the name exists
        return render(
            request,
            "login.html",
            status_code=401,
            next=local_target(next, "/"),
            failed=True,
            message=_sentence(str(error)),
        )
    due = signed.principal.password_change_due
    response = redirect("/account/password" if due else local_target(next, "/"))
    set_session_cookie(response, node.settings.cookie_secure, signed.session)
    return response


@router.post("/logout")
async def logout(request: Request, node: NodeDep, principal: PageUser) -> RedirectResponse:
    await checked_form(request)
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        await blocking(accounts.close_session, node, principal, cookie)
    response = redirect("/login")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


AREA = Area(name="auth", router=router)
