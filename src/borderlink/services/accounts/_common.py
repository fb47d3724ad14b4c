"""What the accounts modules share: the views they return, hashing, and building a principal."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from argon2 import PasswordHasher, profiles
from pydantic import BaseModel
from sqlalchemy import ColumnElement, func

from borderlink.errors import InvalidInput
from borderlink.model import registry
from borderlink.services.accounts.access import Permission, Principal, Role
from borderlink.services.node import Node
from borderlink.store.accounts_tables import users

MIN_PASSWORD = 8


class UserView(BaseModel):
    user_id: int
    username: str
    role: Role
    office_id: str | None = None
    agency: str | None = None
    active: bool
    created_at: dt.datetime
    password_change_due: bool = False


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def aware(value: dt.datetime) -> dt.datetime:
    """SQLite returns naive datetimes for timezone-aware columns: they are UTC."""
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def hasher(kind: str) -> PasswordHasher:
    if kind == "fast":
        return PasswordHasher.from_parameters(profiles.CHEAPEST)
    return PasswordHasher.from_parameters(profiles.RFC_9106_LOW_MEMORY)


def hash_password(node: Node, password: str) -> str:
    return hasher(node.settings.password_hashing).hash(password)


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise InvalidInput(f"a password has at least {MIN_PASSWORD} characters", field="password")


def principal_of(
    row: Any,
    *,
    scopes: frozenset[Permission] | None = None,
    via: str,
    issued_by: str | None = None,
) -> Principal:
    return Principal(
        user_id=row.user_id,
        username=row.username,
        role=Role(row.role),
        office_id=row.office_id,
        agency=row.agency,
        scopes=scopes,
        via=via,
        issued_by=issued_by,
        password_change_due=via == "session" and row.password_reset_by is not None,
    )


def user_view(row: Any) -> UserView:
    return UserView(
        user_id=row.user_id,
        username=row.username,
        role=Role(row.role),
        office_id=row.office_id,
        agency=row.agency,
        active=row.active,
        created_at=aware(row.created_at),
        password_change_due=row.password_reset_by is not None,
    )


def name_key(username: str) -> str:
    """A stable digest of a name as typed: what the throttle and the audit log keep of a name
    that is no user's (it may be a password typed in the wrong field)."""
    return digest(username.strip().casefold())[:32]


def clean_username(username: str) -> str:
    """A new user's name in its one form: NFC, no surrounding spaces, one line of visible
    characters (the identifier type's rules), at most 64 characters."""
    cleaned = registry.identifier.clean(username)
    if not cleaned:
        raise InvalidInput(
            f"a username is one line of visible characters: {username!r}", field="username"
        )
    if len(cleaned) > 64:
        raise InvalidInput("a username has 1 to 64 characters", field="username")
    return cleaned


def username_is(username: str) -> ColumnElement[bool]:
    """The condition finding a user by name as typed: normalised like a new name, compared
    case-insensitively with the expression the unique index is on (``lower(username)``)."""
    typed = registry.identifier.clean(username) or username
    return func.lower(users.c.username) == func.lower(typed)
