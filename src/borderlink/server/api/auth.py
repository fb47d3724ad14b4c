"""``/api/v1/auth``: sign in (a session cookie + a CSRF token), sign out, who am I."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Request, Response
from pydantic import AfterValidator, BaseModel, Field

from borderlink.errors import NotAuthenticated
from borderlink.model import registry
from borderlink.server.deps import (
    SESSION_COOKIE,
    CurrentUser,
    NodeDep,
    blocking,
    set_session_cookie,
)
from borderlink.server.openapi import raises
from borderlink.server.security import request_address
from borderlink.services.accounts import users as accounts

router = APIRouter(prefix="/api/v1/auth", tags=["auth"])


def _identifier(value: str) -> str:
    # A name with a control or invisible character is no user's: refused as the value type says.
    if not registry.identifier.validate(value):
        raise ValueError(registry.identifier.explain(value))
    return value


class Credentials(BaseModel):
    username: Annotated[str, Field(min_length=1, max_length=64), AfterValidator(_identifier)]
    password: str = Field(min_length=1, max_length=1024)


class PasswordChange(BaseModel):
    current_password: str = Field(min_length=1, max_length=1024)
    new_password: str = Field(min_length=8, max_length=1024)


class SignedIn(BaseModel):
    username: str
    role: str
    csrf_token: str = Field(description="Send it back in X-CSRF-Token on every write")
    expires_at: dt.datetime
    password_change_due: bool = Field(
        default=False, description="An administrator set the password: change it first"
    )


class Me(BaseModel):
    username: str
    role: str
    office_id: str | None
    agency: str | None
    via: str
    permissions: list[str]


@router.post("/login", responses=raises(NotAuthenticated))
async def login(
    credentials: Credentials, request: Request, node: NodeDep, response: Response
) -> SignedIn:
    signed = await blocking(
        accounts.sign_in,
        node,
        credentials.username,
        credentials.password,
        address=request_address(request, node.settings),
    )
    principal, opened = signed.principal, signed.session
    set_session_cookie(response, node.settings.cookie_secure, opened)
    return SignedIn(
        username=principal.username,
        role=principal.role.value,
        csrf_token=opened.csrf_token,
        expires_at=opened.expires_at,
        password_change_due=principal.password_change_due,
    )


@router.post("/password", responses=raises(NotAuthenticated))
async def change_password(
    body: PasswordChange, node: NodeDep, principal: CurrentUser
) -> accounts.UserView:
    """Change your own password (the current one is asked for)."""
    return await blocking(
        accounts.change_password, node, principal, body.current_password, body.new_password
    )


@router.post("/logout", status_code=204)
async def logout(
    request: Request, principal: CurrentUser, node: NodeDep, response: Response
) -> None:
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        await blocking(accounts.close_session, node, principal, cookie)
    response.delete_cookie(SESSION_COOKIE, path="/")


@router.get("/me")
async def me(principal: CurrentUser) -> Me:
    return Me(
        username=principal.username,
        role=principal.role.value,
        office_id=principal.office_id,
        agency=principal.agency,
        via=principal.via,
        permissions=sorted(p.value for p in principal.permissions),
    )
