"""API tokens. A token reads ``bl_<token_id>_<secret>``: the id is public (shown in lists, used
to revoke), the whole string is the secret, stored as a SHA-256 digest.

A token never carries more than the credential that created it: its scopes are within the
user's role *and* the creating principal's own permissions (a token scoped to ``tokens:own``
makes tokens scoped to ``tokens:own`` at most). Users create their own tokens
(:func:`create_token`); a token for someone else is only made by :func:`issue_token`, an
explicit administrator's act audited as ``token.issue`` with its reason, and such a token is
marked with its issuer: it never answers for an agency (``access.OWN_CREDENTIAL_ONLY``).
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel
from sqlalchemy import bindparam, insert, select, update

from borderlink.errors import Conflict, InvalidInput, NotAuthenticated, NotFound, PermissionDenied
from borderlink.services.accounts import audit
from borderlink.services.accounts._common import (
    UserView,
    aware,
    digest,
    now,
    principal_of,
    user_view,
    username_is,
)
from borderlink.services.accounts.access import (
    OWN_CREDENTIAL_ONLY,
    Permission,
    Principal,
    grantable_scopes,
    require,
)
from borderlink.services.node import Node
from borderlink.store.accounts_tables import api_tokens, users

TOKEN_PREFIX = "bl_"  # noqa: S105 - a public marker, not a secret
MAX_TOKEN_DAYS = 366


class TokenView(BaseModel):
    token_id: str
    username: str
    name: str
    scopes: list[str]
    created_at: dt.datetime
    expires_at: dt.datetime
    revoked_at: dt.datetime | None = None
    issued_by: str | None = None


class NewToken(BaseModel):
    """A freshly created token: ``token`` is shown once and never stored."""

    token: str
    info: TokenView


def _user(node: Node, username: str) -> UserView:
    with node.read() as conn:
        row = conn.execute(select(users).where(username_is(username))).first()
    if row is None:
        raise NotFound(f"no user {username!r}", field="username")
    return user_view(row)


def _chosen(
    user: UserView, grantable: frozenset[Permission], scopes: Iterable[str] | None
) -> list[str]:
    if scopes is None:
        return sorted(p.value for p in grantable)
    chosen = sorted(set(scopes))
    unknown = [s for s in chosen if s not in {p.value for p in Permission}]
    if unknown:
        raise InvalidInput(
            f"unknown scopes: {', '.join(unknown)}; this credential can give "
            f"{user.username}: {', '.join(sorted(p.value for p in grantable)) or 'none'}",
            field="scopes",
        )
    beyond = [s for s in chosen if Permission(s) not in grantable]
    if beyond:
        raise InvalidInput(
            f"a token for {user.username} ({user.role}) made by this credential cannot carry: "
            + ", ".join(beyond),
            field="scopes",
        )
    return chosen


def _check(name: str, days: int) -> None:
    if not 1 <= days <= MAX_TOKEN_DAYS:
        raise InvalidInput(f"a token lives 1 to {MAX_TOKEN_DAYS} days", field="days")
    if not name or len(name) > 64:
        raise InvalidInput("a token name has 1 to 64 characters", field="name")


def _make(
    node: Node,
    principal: Principal,
    user: UserView,
    *,
    name: str,
    chosen: list[str],
    days: int,
    issued: dict[str, Any] | None,
) -> NewToken:
    token_id = secrets.token_hex(6)
    token = f"{TOKEN_PREFIX}{token_id}_{secrets.token_urlsafe(32)}"
    at = now()
    with node.transaction() as conn:
        conn.execute(
            insert(api_tokens).values(
                token_id=token_id,
                user_id=user.user_id,
                name=name,
                token_hash=digest(token),
                scopes=chosen,
                created_at=at,
                expires_at=at + dt.timedelta(days=days),
                issued_by=principal.username if issued is not None else None,
            )
        )
        audit.record(
            conn,
            actor=principal.username,
            action="token.create" if issued is None else "token.issue",
            object_type="token",
            object_id=token_id,
            reason=issued.get("reason") if issued else None,
            details={"user": user.username, "name": name, "scopes": chosen, "days": days},
        )
    return NewToken(token=token, info=_token_views(node, token_id=token_id)[0])


def create_token(
    node: Node,
    principal: Principal,
    *,
    name: str,
    scopes: Iterable[str] | None = None,
    days: int = 90,
    username: str | None = None,
) -> NewToken:
    """Create a token for the principal itself, within what its own credential carries.

    ``username``, if given, must be the principal's: a token for another user is
    :func:`issue_token`'s (explicit, and audited as such)."""
    _check(name, days)
    require(principal, Permission.TOKENS_OWN)
    if username is not None and username.strip().lower() != principal.username.lower():
        raise PermissionDenied(
            "a token is created by its owner; an administrator issues one for another user "
            "explicitly (tokens issue)",
            field="username",
        )
    user = _user(node, principal.username)
    if not user.active:
        raise Conflict(f"user {user.username!r} is disabled", field="username")
    chosen = _chosen(user, grantable_scopes(user.role, principal), scopes)
    return _make(node, principal, user, name=name, chosen=chosen, days=days, issued=None)


def issue_token(
    node: Node,
    principal: Principal,
    *,
    username: str,
    name: str,
    reason: str,
    scopes: Iterable[str] | None = None,
    days: int = 90,
) -> NewToken:
    """An administrator's explicit act: a token for another user (an integration account, say),
    audited as ``token.issue`` with ``reason``. The token is marked with its issuer, carries
    nothing the issuer's credential lacks, and never what only the user's own may carry."""
    _check(name, days)
    require(principal, Permission.USERS_MANAGE)
    if not reason.strip():
        raise InvalidInput("say why the token is issued", field="reason")
    user = _user(node, username)
    if not user.active:
        raise Conflict(f"user {username!r} is disabled", field="username")
    grantable = grantable_scopes(user.role, principal) - OWN_CREDENTIAL_ONLY
    chosen = _chosen(user, grantable, scopes)
    issued = {"reason": reason.strip()[:500]}
    return _make(node, principal, user, name=name, chosen=chosen, days=days, issued=issued)


def _token_views(
    node: Node, *, token_id: str | None = None, username: str | None = None
) -> list[TokenView]:
    query = select(api_tokens, users.c.username).join(
        users, users.c.user_id == api_tokens.c.user_id
    )
    if token_id is not None:
        query = query.where(api_tokens.c.token_id == token_id)
    if username is not None:
        query = query.where(username_is(username))
    with node.read() as conn:
        rows = conn.execute(query.order_by(api_tokens.c.created_at)).all()
    return [
        TokenView(
            token_id=r.token_id,
            username=r.username,
            name=r.name,
            scopes=list(r.scopes),
            created_at=aware(r.created_at),
            expires_at=aware(r.expires_at),
            revoked_at=aware(r.revoked_at) if r.revoked_at else None,
            issued_by=r.issued_by,
        )
        for r in rows
    ]


def list_tokens(node: Node, principal: Principal) -> list[TokenView]:
    """Tokens of the principal (all tokens for administrators, the CLI among them)."""
    if principal.can(Permission.USERS_MANAGE):
        return _token_views(node)
    require(principal, Permission.TOKENS_OWN)
    return _token_views(node, username=principal.username)


def revoke_token(node: Node, principal: Principal, token_id: str) -> TokenView:
    require(principal, Permission.TOKENS_OWN)
    found = _token_views(node, token_id=token_id)
    if not found:
        raise NotFound(f"no token {token_id!r}", field="token_id")
    if found[0].username != principal.username:
        require(principal, Permission.USERS_MANAGE)
    with node.transaction() as conn:
        conn.execute(
            update(api_tokens)
            .where(api_tokens.c.token_id == token_id, api_tokens.c.revoked_at.is_(None))
            .values(revoked_at=now())
        )
        audit.record(
            conn,
            actor=principal.username,
            action="token.revoke",
            object_type="token",
            object_id=token_id,
        )
    return _token_views(node, token_id=token_id)[0]


# Every API request runs this: built once, as SQLAlchemy keeps a statement's cache key on it
# (one built per request cost more to build and key than the lookup itself).
_BY_TOKEN_HASH = (
    select(
        users,
        api_tokens.c.scopes,
        api_tokens.c.expires_at,
        api_tokens.c.revoked_at,
        api_tokens.c.issued_by,
    )
    .join(api_tokens, api_tokens.c.user_id == users.c.user_id)
    .where(api_tokens.c.token_hash == bindparam("token_hash"))
)


def token_principal(node: Node, token: str) -> Principal:
    """The principal behind a bearer token; raises NotAuthenticated for any bad token."""
    if not token.startswith(TOKEN_PREFIX):
        raise NotAuthenticated("not a BorderLink API token")
    with node.read() as conn:
        row = conn.execute(_BY_TOKEN_HASH, {"token_hash": digest(token)}).first()
    if row is None or row.revoked_at is not None or not row.active:
        raise NotAuthenticated("unknown, revoked or disabled token")
    if aware(row.expires_at) <= now():
        raise NotAuthenticated("the token has expired")
    known = {p.value for p in Permission}
    scopes = frozenset(Permission(s) for s in row.scopes if s in known)
    return principal_of(row, scopes=scopes, via="token", issued_by=row.issued_by)
