"""Accounts: users and what administrators and users do to them; the one import for accounts.

Passwords are hashed with argon2id. Administrators add, disable, enable and unlock users and
reset their passwords; a reset password lets its user do nothing but change it (so what the
administrator set is never what the user goes on acting with), and every user changes their
own. The last active administrator cannot be disabled.

Sign-in and sessions are :mod:`.signin`'s, API tokens :mod:`.tokens`'; both are re-exported
here, so callers import one module.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from borderlink.errors import Conflict, InvalidInput, NotAuthenticated, NotFound, PermissionDenied
from borderlink.services.accounts import audit, throttle
from borderlink.services.accounts._common import (
    UserView,
    check_password,
    clean_username,
    hash_password,
    name_key,
    now,
    user_view,
    username_is,
)
from borderlink.services.accounts.access import (
    AGENCY_SCOPED,
    OFFICE_SCOPED,
    Permission,
    Principal,
    Role,
    require,
)
from borderlink.services.accounts.signin import (
    SessionOpened,
    SignIn,
    authenticate,
    close_session,
    locked_message,
    open_session,
    session_principal,
    sign_in,
    verify_password,
)
from borderlink.services.accounts.tokens import (
    MAX_TOKEN_DAYS,
    TOKEN_PREFIX,
    NewToken,
    TokenView,
    create_token,
    issue_token,
    list_tokens,
    revoke_token,
    token_principal,
)
from borderlink.services.node import Node
from borderlink.store.accounts_tables import api_tokens, sessions, users


def _role(role: Role | str) -> Role:
    try:
        return Role(role)
    except ValueError:
        raise InvalidInput(
            f"unknown role {role!r}; one of {', '.join(Role)}", field="role"
        ) from None


def add_user(
    node: Node,
    principal: Principal,
    *,
    username: str,
    password: str,
    role: Role | str,
    office_id: str | None = None,
    agency: str | None = None,
    temporary: bool = False,
) -> UserView:
    """``temporary``: the password is one an administrator hands over, so signing in with it
    allows only changing it (as after a reset)."""
    require(principal, Permission.USERS_MANAGE)
    role = _role(role)
    username = clean_username(username)
    check_password(password)
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
        "created_at": now(),
        "password_reset_by": principal.username if temporary else None,
    }
    try:
        with node.transaction() as conn:
            # The unique index on lower(username) decides, as it writes: no check-then-insert.
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
        raise Conflict(
            f"user {username!r} already exists (names are compared ignoring case)",
            field="username",
        ) from None
    return _get_user(node, username)


def get_user(node: Node, principal: Principal, username: str) -> UserView:
    require(principal, Permission.USERS_MANAGE)
    return _get_user(node, username)


def _get_user(node: Node, username: str) -> UserView:
    with node.read() as conn:
        row = conn.execute(select(users).where(username_is(username))).first()
    if row is None:
        raise NotFound(f"no user {username!r}", field="username")
    return user_view(row)


def _user_row(conn: Connection, username: str) -> Any:
    row = conn.execute(select(users).where(username_is(username))).first()
    if row is None:
        raise NotFound(f"no user {username!r}", field="username")
    return row


def list_users(node: Node, principal: Principal) -> list[UserView]:
    require(principal, Permission.USERS_MANAGE)
    with node.read() as conn:
        rows = conn.execute(select(users).order_by(users.c.username)).all()
    return [user_view(r) for r in rows]


def _end_credentials(conn: Connection, user_id: int) -> None:
    conn.execute(delete(sessions).where(sessions.c.user_id == user_id))
    conn.execute(
        update(api_tokens)
        .where(api_tokens.c.user_id == user_id, api_tokens.c.revoked_at.is_(None))
        .values(revoked_at=now())
    )


def disable_user(node: Node, principal: Principal, username: str) -> UserView:
    """Disable a user: sign-in refused, sessions closed, tokens stop working. The last active
    administrator stays: the condition is part of the UPDATE, so it is checked as it writes."""
    require(principal, Permission.USERS_MANAGE)
    with node.transaction() as conn:
        row = _user_row(conn, username)
        other_admins = (
            select(func.count())
            .select_from(users)
            .where(
                users.c.role == Role.ADMINISTRATOR.value,
                users.c.active.is_(True),
                users.c.user_id != row.user_id,
            )
            .scalar_subquery()
        )
        done = conn.execute(
            update(users)
            .where(
                users.c.user_id == row.user_id,
                (users.c.role != Role.ADMINISTRATOR.value) | (other_admins > 0),
            )
            .values(active=False)
        )
        if done.rowcount != 1:
            raise Conflict(
                f"{username!r} is the last active administrator; enable or add another first",
                field="username",
            )
        conn.execute(delete(sessions).where(sessions.c.user_id == row.user_id))
        audit.record(
            conn,
            actor=principal.username,
            action="user.disable",
            object_type="user",
            object_id=username,
        )
    return _get_user(node, username)


def enable_user(node: Node, principal: Principal, username: str) -> UserView:
    """Let a disabled user sign in again (their old sessions and tokens stay ended)."""
    require(principal, Permission.USERS_MANAGE)
    with node.transaction() as conn:
        row = _user_row(conn, username)
        conn.execute(update(users).where(users.c.user_id == row.user_id).values(active=True))
        audit.record(
            conn,
            actor=principal.username,
            action="user.enable",
            object_type="user",
            object_id=username,
        )
    return _get_user(node, username)


def unlock_user(node: Node, principal: Principal, username: str) -> UserView:
    """Lift a sign-in lock on a user's name before it runs out."""
    require(principal, Permission.USERS_MANAGE)
    with node.transaction() as conn:
        _user_row(conn, username)
        throttle.clear(conn, f"name:{name_key(username)}")
        audit.record(
            conn,
            actor=principal.username,
            action="user.unlock",
            object_type="user",
            object_id=username,
        )
    return _get_user(node, username)


def reset_password(
    node: Node, principal: Principal, username: str, password: str, *, reason: str | None = None
) -> UserView:
    """An administrator sets a temporary password: the user's sessions end, their tokens are
    revoked, their name is unlocked, and signing in with it allows only changing it."""
    require(principal, Permission.USERS_MANAGE)
    check_password(password)
    hashed = hash_password(node, password)
    with node.transaction() as conn:
        row = _user_row(conn, username)
        conn.execute(
            update(users)
            .where(users.c.user_id == row.user_id)
            .values(password_hash=hashed, password_reset_by=principal.username)
        )
        _end_credentials(conn, row.user_id)
        throttle.clear(conn, f"name:{name_key(username)}")
        audit.record(
            conn,
            actor=principal.username,
            action="user.password_reset",
            object_type="user",
            object_id=username,
            reason=reason,
        )
    return _get_user(node, username)


def change_password(node: Node, principal: Principal, current: str, new: str) -> UserView:
    """A user changes their own password (the current one is asked for: a session left open
    is not enough). Their other sessions end; tokens stay."""
    # Not through a token: a narrowly scoped token must not become the whole account.
    if principal.via != "session":
        raise PermissionDenied("a user changes their own password, signed in with it")
    check_password(new)
    if new == current:
        raise InvalidInput("the new password is the current one", field="new_password")
    with node.read() as conn:
        row = _user_row(conn, principal.username)
    if not verify_password(node, row, current):
        raise NotAuthenticated("the current password is wrong")
    hashed = hash_password(node, new)
    with node.transaction() as conn:
        conn.execute(
            update(users)
            .where(users.c.user_id == row.user_id)
            .values(password_hash=hashed, password_reset_by=None)
        )
        audit.record(
            conn,
            actor=principal.username,
            action="user.password_change",
            object_type="user",
            object_id=principal.username,
        )
    return _get_user(node, principal.username)


__all__ = [
    "MAX_TOKEN_DAYS",
    "TOKEN_PREFIX",
    "NewToken",
    "SessionOpened",
    "SignIn",
    "TokenView",
    "UserView",
    "add_user",
    "authenticate",
    "change_password",
    "close_session",
    "create_token",
    "disable_user",
    "enable_user",
    "get_user",
    "hash_password",
    "issue_token",
    "list_tokens",
    "list_users",
    "locked_message",
    "open_session",
    "reset_password",
    "revoke_token",
    "session_principal",
    "sign_in",
    "token_principal",
    "unlock_user",
]
