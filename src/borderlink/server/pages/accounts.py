"""Account pages: change your own password; administrators list users and disable, enable,
unlock them or reset their password (each an audited use case in ``services.accounts``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from borderlink.errors import BorderLinkError
from borderlink.server.deps import NodeDep, blocking
from borderlink.server.pages.common import PageUser, checked_form, page_allowed, redirect, render
from borderlink.server.pages.registry import Area, NavEntry
from borderlink.services.accounts import users as accounts
from borderlink.services.accounts.access import Permission, Principal

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
    found = await blocking(accounts.list_users, node, admin)
    return render(request, "users.html", users=found, done=request.query_params.get("done"))


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
    nav=(NavEntry("Users", "/users", Permission.USERS_MANAGE, order=90),),
)
