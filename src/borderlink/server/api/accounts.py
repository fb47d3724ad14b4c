"""``/api/v1/users`` (administrators) and ``/api/v1/tokens`` (each user's own API tokens)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from borderlink.errors import Conflict, NotFound
from borderlink.server.deps import CurrentUser, NodeDep, allowed, blocking
from borderlink.server.openapi import raises
from borderlink.services.accounts import users as accounts
from borderlink.services.accounts.access import Permission, Principal, Role

router = APIRouter(prefix="/api/v1", tags=["accounts"])

Admin = Annotated[Principal, Depends(allowed(Permission.USERS_MANAGE))]
TokenOwner = Annotated[Principal, Depends(allowed(Permission.TOKENS_OWN))]


class NewUser(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=8, max_length=1024)
    role: Role
    office_id: str | None = Field(default=None, max_length=16)
    agency: str | None = Field(default=None, max_length=64)


class TokenRequest(BaseModel):
    name: str = Field(min_length=1, max_length=64)
    scopes: list[str] | None = Field(
        default=None, description="Default: all that both the role and this credential carry"
    )
    days: int = Field(default=90, ge=1, le=accounts.MAX_TOKEN_DAYS)
    username: str | None = Field(
        default=None,
        description="Yours, if given; a token for another user is issued by an administrator "
        "(POST /api/v1/users/{username}/tokens)",
    )


class IssueRequest(BaseModel):
    name: str = Field(min_length=1, max_length=64)
    reason: str = Field(min_length=1, max_length=500, description="Why (audited)")
    scopes: list[str] | None = Field(default=None, description="Default: all that may be issued")
    days: int = Field(default=90, ge=1, le=accounts.MAX_TOKEN_DAYS)


class PasswordReset(BaseModel):
    password: str = Field(min_length=8, max_length=1024, description="A temporary password")
    reason: str | None = Field(default=None, max_length=500, description="Why (audited)")


@router.get("/users")
async def list_users(node: NodeDep, admin: Admin) -> list[accounts.UserView]:
    return await blocking(accounts.list_users, node, admin)


@router.post("/users", status_code=201, responses=raises(Conflict))
async def add_user(body: NewUser, node: NodeDep, admin: Admin) -> accounts.UserView:
    return await blocking(accounts.add_user, node, admin, **body.model_dump())


@router.post("/users/{username}/disable")
async def disable_user(username: str, node: NodeDep, admin: Admin) -> accounts.UserView:
    return await blocking(accounts.disable_user, node, admin, username)


@router.post("/users/{username}/enable")
async def enable_user(username: str, node: NodeDep, admin: Admin) -> accounts.UserView:
    return await blocking(accounts.enable_user, node, admin, username)


@router.post("/users/{username}/unlock")
async def unlock_user(username: str, node: NodeDep, admin: Admin) -> accounts.UserView:
    """Lift a lock on the user's name that repeated failed sign-ins set."""
    return await blocking(accounts.unlock_user, node, admin, username)


@router.post("/users/{username}/password")
async def reset_password(
    username: str, body: PasswordReset, node: NodeDep, admin: Admin
) -> accounts.UserView:
    """Set a temporary password: the user's sessions and tokens end, and until they change it
    the password allows nothing else."""
    return await blocking(
        accounts.reset_password, node, admin, username, body.password, reason=body.reason
    )


@router.post("/users/{username}/tokens", status_code=201, responses=raises(NotFound, Conflict))
async def issue_token(
    username: str, body: IssueRequest, node: NodeDep, admin: Admin
) -> accounts.NewToken:
    """Issue a token for another user (an integration account): audited as ``token.issue``;
    the token is marked with its issuer and never answers for an agency."""
    return await blocking(accounts.issue_token, node, admin, username=username, **body.model_dump())


@router.get("/tokens")
async def list_tokens(node: NodeDep, principal: TokenOwner) -> list[accounts.TokenView]:
    return await blocking(accounts.list_tokens, node, principal)


@router.post("/tokens", status_code=201, responses=raises(NotFound, Conflict))
async def create_token(
    body: TokenRequest, node: NodeDep, principal: TokenOwner
) -> accounts.NewToken:
    return await blocking(
        accounts.create_token,
        node,
        principal,
        username=body.username,
        name=body.name,
        scopes=body.scopes,
        days=body.days,
    )


@router.delete("/tokens/{token_id}")
async def revoke_token(token_id: str, node: NodeDep, principal: CurrentUser) -> accounts.TokenView:
    return await blocking(accounts.revoke_token, node, principal, token_id)
