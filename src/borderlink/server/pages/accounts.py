"""Account pages: change your own password; administrators list users and disable, enable,
unlock them or reset their password (each an audited use case in ``services.accounts``)."""

from __future__ import annotations

from functools import partial
from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from borderlink.errors import BorderLinkError
from borderlink.server.deps import NodeDep, blocking
from borderlink.server.pages.common import PageUser, checked_form, page_allowed, redirect, render
from borderlink.server.pages.i18n import N_
from borderlink.server.pages.registry import Area, NavEntry
from borderlink.services.accounts import users as accounts
from borderlink.services.accounts.access import Permission, Principal, Role

router = APIRouter(include_in_schema=False)
Admin = Annotated[Principal, page_allowed(Permission.USERS_MANAGE)]
Username = Annotated[str, Path(min_length=1, max_length=64)]


@router.get("/account/password")
async def password_form(request: Request, principal: PageUser) -> HTMLResponse:
    return render(request, "password.html", due=principal.password_change_due, error=None)


@router.post("/account/password", response_model=None)
async def change_password(
    request: Request, node: NodeDep, principal: PageUser
) -> HTMLResponse | RedirectResponse:
    form = await checked_form(request)
    try:
        await blocking(
            accounts.change_password,
            node,
            principal,
            form.get("current_password", ""),
            form.get("new_password", ""),
        )
    except BorderLinkError as error:  # shown beside the form, which stays filled in
        return render(
            request,
            "password.html",
            status_code=400,
            due=principal.password_change_due,
            error=str(error),
        )
    return redirect("/account/password?changed=1")


@router.get("/users")
async def users_page(request: Request, node: NodeDep, admin: Admin) -> HTMLResponse:
    return await _users(request, node, admin)


async def _users(
    request: Request, node: NodeDep, admin: Principal, *, error: str | None = None, **filled: str
) -> HTMLResponse:
    found = await blocking(accounts.list_users, node, admin)
    return render(
        request,
        "users.html",
        status_code=400 if error else 200,
        users=found,
        roles=[role.value for role in Role],
        done=request.query_params.get("done"),
        error=error,
        filled=filled,
    )


@router.post("/users", response_model=None)
async def add_user(
    request: Request, node: NodeDep, admin: Admin
) -> HTMLResponse | RedirectResponse:
    form = await checked_form(request)
    values = {k: form.get(k, "").strip() for k in ("username", "role", "office_id", "agency")}
    try:
        await blocking(
            partial(
                accounts.add_user,
                node,
                admin,
                username=values["username"],
                password=form.get("password", ""),
                role=values["role"],
                office_id=values["office_id"] or None,
                agency=values["agency"] or None,
                temporary=True,
            )
        )
    except BorderLinkError as error:  # shown beside the form, which stays filled in
        return await _users(request, node, admin, error=str(error), **values)
    return redirect("/users?done=added")


@router.post("/users/{username}/{action}")
async def user_action(
    request: Request,
    node: NodeDep,
    admin: Admin,
    username: Username,
    action: Annotated[str, Path(pattern="^(disable|enable|unlock|reset)$")],
) -> RedirectResponse:
    form = await checked_form(request)
    if action == "reset":
        await blocking(
            accounts.reset_password,
            node,
            admin,
            username,
            form.get("password", ""),
            reason=form.get("reason") or None,
        )
    else:
        use_case = {
            "disable": accounts.disable_user,
            "enable": accounts.enable_user,
            "unlock": accounts.unlock_user,
        }[action]
        await blocking(use_case, node, admin, username)
    return redirect(f"/users?done={action}")


AREA = Area(
    name="accounts",
    router=router,
    nav=(
        NavEntry(
            "Users", "/users", Permission.USERS_MANAGE, order=90, section=N_("Administration")
        ),
    ),
)
