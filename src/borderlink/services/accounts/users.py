"""Accounts: users, sign-in, browser sessions and API tokens. Every sign-in is audited.

Passwords are hashed with argon2id; API tokens and session ids are random strings stored as
SHA-256 digests. A token reads ``bl_<token_id>_<secret>``: the id is public (shown in lists,
used to revoke), the whole string is the secret.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from pydantic import BaseModel
from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from borderlink.errors import Conflict, InvalidInput, NotAuthenticated, NotFound
from borderlink.services.accounts import audit
from borderlink.services.accounts.access import (
    AGENCY_SCOPED,
    OFFICE_SCOPED,
    Permission,
    Principal,
    Role,
    grantable_scopes,
    require,
)
from borderlink.services.node import Node
from borderlink.store.accounts_tables import api_tokens, sessions, users
from borderlink.store.tables import audit_log

TOKEN_PREFIX = "bl_"  # noqa: S105 - a public marker, not a secret
MAX_TOKEN_DAYS = 366


class UserView(BaseModel):
    user_id: int
    username: str
    role: Role
    office_id: str | None = None
    agency: str | None = None
    active: bool
    created_at: dt.datetime


class TokenView(BaseModel):
    token_id: str
    username: str
    name: str
    scopes: list[str]
    created_at: dt.datetime
    expires_at: dt.datetime
    revoked_at: dt.datetime | None = None


class NewToken(BaseModel):
    """A freshly created token: ``token`` is shown once and never stored."""

    token: str
    info: TokenView


class SessionOpened(BaseModel):
    token: str  # the cookie value, shown once
    csrf_token: str
    expires_at: dt.datetime


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _aware(value: dt.datetime) -> dt.datetime:
    """SQLite returns naive datetimes for timezone-aware columns: they are UTC."""
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _hasher(kind: str) -> PasswordHasher:
    if kind == "fast":
        return PasswordHasher.from_parameters(profiles.CHEAPEST)
    return PasswordHasher.from_parameters(profiles.RFC_9106_LOW_MEMORY)


def hash_password(node: Node, password: str) -> str:
    return _hasher(node.settings.password_hashing).hash(password)


def _principal(row: Any, *, scopes: frozenset[Permission] | None = None, via: str) -> Principal:
    return Principal(
        user_id=row.user_id,
        username=row.username,
        role=Role(row.role),
        office_id=row.office_id,
        agency=row.agency,
        scopes=scopes,
        via=via,
    )


def _user_view(row: Any) -> UserView:
    return UserView(
        user_id=row.user_id,
        username=row.username,
        role=Role(row.role),
        office_id=row.office_id,
        agency=row.agency,
        active=row.active,
        created_at=_aware(row.created_at),
    )


# --- users -------------------------------------------------------------------------------------


def add_user(
    node: Node,
    principal: Principal,
    *,
    username: str,
    password: str,
    role: Role | str,
    office_id: str | None = None,
    agency: str | None = None,
) -> UserView:
    require(principal, Permission.USERS_MANAGE)
    try:
        role = Role(role)
    except ValueError:
        raise InvalidInput(
            f"unknown role {role!r}; one of {', '.join(Role)}", field="role"
        ) from None
    if not username or len(username) > 64:
        raise InvalidInput("a username has 1 to 64 characters", field="username")
    if len(password) < 8:
        raise InvalidInput("a password has at least 8 characters", field="password")
    if role in OFFICE_SCOPED and not office_id:
        raise InvalidInput(f"a user with role {role} needs an office", field="office_id")
    if role in AGENCY_SCOPED and not agency:
        raise InvalidInput(f"a user with role {role} needs an agency", field="agency")
    values = {
        "username": username,
        "password_hash": hash_password(node, password),
        "role": role.value,
        "office_id": office_id,
        "agency": agency,
        "active": True,
        "created_at": _now(),
    }
    try:
        with node.transaction() as conn:
            conn.execute(insert(users).values(**values))
            audit.record(
                conn,
                actor=principal.username,
                action="user.add",
                object_type="user",
                object_id=username,
                details={"role": role.value, "office_id": office_id, "agency": agency},
            )
    except IntegrityError:
        raise Conflict(f"user {username!r} already exists", field="username") from None
    return _get_user(node, username)


def get_user(node: Node, principal: Principal, username: str) -> UserView:
    require(principal, Permission.USERS_MANAGE)
    return _get_user(node, username)


def _get_user(node: Node, username: str) -> UserView:
    with node.read() as conn:
        row = conn.execute(select(users).where(users.c.username == username)).first()
    if row is None:
        raise NotFound(f"no user {username!r}", field="username")
    return _user_view(row)


def list_users(node: Node, principal: Principal) -> list[UserView]:
    require(principal, Permission.USERS_MANAGE)
    with node.read() as conn:
        rows = conn.execute(select(users).order_by(users.c.username)).all()
    return [_user_view(r) for r in rows]


def disable_user(node: Node, principal: Principal, username: str) -> UserView:
    """Disable a user: sign-in refused, sessions closed, tokens stop working."""
    require(principal, Permission.USERS_MANAGE)
    with node.transaction() as conn:
        row = conn.execute(select(users.c.user_id).where(users.c.username == username)).first()
        if row is None:
            raise NotFound(f"no user {username!r}", field="username")
        conn.execute(update(users).where(users.c.user_id == row.user_id).values(active=False))
        conn.execute(delete(sessions).where(sessions.c.user_id == row.user_id))
        audit.record(
            conn,
            actor=principal.username,
            action="user.disable",
            object_type="user",
            object_id=username,
        )
    return _get_user(node, username)


# --- sign-in and sessions ----------------------------------------------------------------------


def authenticate(node: Node, username: str, password: str, *, source: str = "api") -> Principal:
    """Check a password. Success and failure are both audited; failures say nothing more.

    After ``login_max_failures`` failures for a username within ``login_lockout_minutes``, its
    sign-ins are refused (audited as ``auth.login_refused``) until the window has passed.
    """
    settings = node.settings
    hasher = _hasher(settings.password_hashing)
    since = _now() - dt.timedelta(minutes=settings.login_lockout_minutes)
    with node.transaction() as conn:
        failures = conn.execute(
            select(func.count())
            .select_from(audit_log)
            .where(
                audit_log.c.action == "auth.login_failed",
                audit_log.c.object_id == username[:128],
                audit_log.c.at >= since,
            )
        ).scalar_one()
        locked = failures >= settings.login_max_failures
        row = conn.execute(select(users).where(users.c.username == username)).first()
        ok = False
        if not locked:
            # An unknown user costs the same hash as a known one: no timing oracle for names.
            stored = row.password_hash if row is not None else _dummy_hash(node)
            try:
                ok = hasher.verify(stored, password) and row is not None and row.active
            except (VerificationError, InvalidHashError):
                ok = False
        action = "auth.login_refused" if locked else "auth.login" if ok else "auth.login_failed"
        audit.record(
            conn,
            actor=username[:64] or "-",
            action=action,
            object_type="user",
            object_id=username[:128],
            details={"source": source},
        )
    if locked:
        raise NotAuthenticated("too many failed sign-ins for this account; try again later")
    if not ok or row is None:
        raise NotAuthenticated("wrong username or password, or the account is disabled")
    return _principal(row, via="session")


def _dummy_hash(node: Node) -> str:
    """A hash of nothing, made once per node: checking it costs what checking a real one does."""
    kind = node.settings.password_hashing
    return node.runtime.dummy_hash(kind, lambda: _hasher(kind).hash(secrets.token_urlsafe(16)))


@dataclass(frozen=True)
class SignIn:
    principal: Principal
    session: SessionOpened


def sign_in(node: Node, username: str, password: str, *, source: str = "api") -> SignIn:
    """Sign in with a password: the principal and a new browser session (the API and the
    pages both sign people in here)."""
    principal = authenticate(node, username, password, source=source)
    return SignIn(principal, open_session(node, principal))


def open_session(node: Node, principal: Principal) -> SessionOpened:
    token = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(24)
    expires = _now() + dt.timedelta(hours=node.settings.session_hours)
    with node.transaction() as conn:
        conn.execute(
            insert(sessions).values(
                session_hash=_digest(token),
                user_id=principal.user_id,
                csrf_token=csrf,
                created_at=_now(),
                expires_at=expires,
            )
        )
    return SessionOpened(token=token, csrf_token=csrf, expires_at=expires)


def session_principal(node: Node, token: str) -> tuple[Principal, str]:
    """The principal and CSRF token of a live session; raises NotAuthenticated otherwise."""
    with node.read() as conn:
        row = conn.execute(
            select(users, sessions.c.csrf_token, sessions.c.expires_at)
            .join(sessions, sessions.c.user_id == users.c.user_id)
            .where(sessions.c.session_hash == _digest(token))
        ).first()
    if row is None or not row.active or _aware(row.expires_at) <= _now():
        raise NotAuthenticated("the session has expired; sign in again")
    return _principal(row, via="session"), row.csrf_token


def close_session(node: Node, principal: Principal, token: str) -> None:
    """Sign out: the session ends (only the principal's own session is closed)."""
    with node.transaction() as conn:
        conn.execute(
            delete(sessions).where(
                sessions.c.session_hash == _digest(token), sessions.c.user_id == principal.user_id
            )
        )
        audit.record(
            conn,
            actor=principal.username,
            action="auth.logout",
            object_type="user",
            object_id=principal.username,
        )


# --- API tokens --------------------------------------------------------------------------------


def create_token(
    node: Node,
    principal: Principal,
    *,
    username: str,
    name: str,
    scopes: Iterable[str] | None = None,
    days: int = 90,
) -> NewToken:
    """Create a token for ``username``; the principal must be them or an administrator."""
    if not 1 <= days <= MAX_TOKEN_DAYS:
        raise InvalidInput(f"a token lives 1 to {MAX_TOKEN_DAYS} days", field="days")
    if not name or len(name) > 64:
        raise InvalidInput("a token name has 1 to 64 characters", field="name")
    user = _get_user(node, username)
    require(principal, Permission.TOKENS_OWN)
    if principal.username != username:
        require(principal, Permission.USERS_MANAGE)
    if not user.active:
        raise Conflict(f"user {username!r} is disabled", field="username")
    grantable = grantable_scopes(user.role)
    if scopes is None:
        chosen = sorted(p.value for p in grantable)
    else:
        chosen = sorted(set(scopes))
        unknown = [s for s in chosen if s not in {p.value for p in Permission}]
        if unknown:
            raise InvalidInput(f"unknown scopes: {', '.join(unknown)}", field="scopes")
        beyond = [s for s in chosen if Permission(s) not in grantable]
        if beyond:
            raise InvalidInput(
                f"role {user.role} cannot grant: {', '.join(beyond)}", field="scopes"
            )
    token_id = secrets.token_hex(6)
    token = f"{TOKEN_PREFIX}{token_id}_{secrets.token_urlsafe(32)}"
    now = _now()
    with node.transaction() as conn:
        conn.execute(
            insert(api_tokens).values(
                token_id=token_id,
                user_id=user.user_id,
                name=name,
                token_hash=_digest(token),
                scopes=chosen,
                created_at=now,
                expires_at=now + dt.timedelta(days=days),
            )
        )
        audit.record(
            conn,
            actor=principal.username,
            action="token.create",
            object_type="token",
            object_id=token_id,
            details={"user": username, "name": name, "scopes": chosen, "days": days},
        )
    return NewToken(token=token, info=_token_views(node, token_id=token_id)[0])


def _token_views(
    node: Node, *, token_id: str | None = None, username: str | None = None
) -> list[TokenView]:
    query = select(api_tokens, users.c.username).join(
        users, users.c.user_id == api_tokens.c.user_id
    )
    if token_id is not None:
        query = query.where(api_tokens.c.token_id == token_id)
    if username is not None:
        query = query.where(users.c.username == username)
    with node.read() as conn:
        rows = conn.execute(query.order_by(api_tokens.c.created_at)).all()
    return [
        TokenView(
            token_id=r.token_id,
            username=r.username,
            name=r.name,
            scopes=list(r.scopes),
            created_at=_aware(r.created_at),
            expires_at=_aware(r.expires_at),
            revoked_at=_aware(r.revoked_at) if r.revoked_at else None,
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
            .values(revoked_at=_now())
        )
        audit.record(
            conn,
            actor=principal.username,
            action="token.revoke",
            object_type="token",
            object_id=token_id,
        )
    return _token_views(node, token_id=token_id)[0]


def token_principal(node: Node, token: str) -> Principal:
    """The principal behind a bearer token; raises NotAuthenticated for any bad token."""
    if not token.startswith(TOKEN_PREFIX):
        raise NotAuthenticated("not a BorderLink API token")
    with node.read() as conn:
        row = conn.execute(
            select(users, api_tokens.c.scopes, api_tokens.c.expires_at, api_tokens.c.revoked_at)
            .join(api_tokens, api_tokens.c.user_id == users.c.user_id)
            .where(api_tokens.c.token_hash == _digest(token))
        ).first()
    if row is None or row.revoked_at is not None or not row.active:
        raise NotAuthenticated("unknown, revoked or disabled token")
    if _aware(row.expires_at) <= _now():
        raise NotAuthenticated("the token has expired")
    known = {p.value for p in Permission}
    scopes = frozenset(Permission(s) for s in row.scopes if s in known)
    return _principal(row, scopes=scopes, via="token")


__all__ = [
    "NewToken",
    "SessionOpened",
    "SignIn",
    "TokenView",
    "UserView",
    "add_user",
    "authenticate",
    "close_session",
    "create_token",
    "disable_user",
    "get_user",
    "list_tokens",
    "list_users",
    "open_session",
    "revoke_token",
    "session_principal",
    "sign_in",
    "token_principal",
]
