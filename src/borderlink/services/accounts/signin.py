"""Sign-in and browser sessions. Every sign-in is audited; failures say nothing more.

Attempts are throttled per name and per source address (:mod:`.throttle`): at most
``login_max_failures`` password checks per name, ``login_max_failures_per_source`` per address,
in ``login_lockout_minutes``; then the name (or address) is locked until a time the user is told,
with the same words whether or not the name exists. The audit log keeps a failed name only when
it is a user's; otherwise a digest of it (it may be a password typed in the wrong field).
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Any

from argon2.exceptions import InvalidHashError, VerificationError
from pydantic import BaseModel
from sqlalchemy import Connection, delete, insert, select

from borderlink.errors import NotAuthenticated
from borderlink.services.accounts import audit, throttle
from borderlink.services.accounts._common import (
    aware,
    digest,
    hasher,
    name_key,
    now,
    principal_of,
    username_is,
)
from borderlink.services.accounts.access import Principal
from borderlink.services.node import Node
from borderlink.store.accounts_tables import sessions, users

WRONG = "wrong username or password, or the account is disabled"


class SessionOpened(BaseModel):
    token: str  # the cookie value, shown once
    csrf_token: str
    expires_at: dt.datetime


@dataclass(frozen=True)
class SignIn:
    principal: Principal
    session: SessionOpened


def locked_message(until: dt.datetime) -> str:
    return f"too many failed sign-ins: locked until {until.astimezone(dt.UTC):%H:%M} UTC"


def _keys(node: Node, username: str, address: str | None) -> list[tuple[str, throttle.Limit]]:
    settings = node.settings
    window = dt.timedelta(minutes=settings.login_lockout_minutes)
    # The address first: once it is locked, the names it sprays are not even given a row.
    keys = []
    if address:
        limit = throttle.Limit(settings.login_max_failures_per_source, window, window)
        keys.append((f"source:{address[:64]}", limit))
    name = (
        f"name:{name_key(username)}",
        throttle.Limit(settings.login_max_failures, window, window),
    )
    return [*keys, name]


def audit_name(row: Any, username: str) -> str:
    """The name an attempt is audited under: the user's, or a digest of what was typed."""
    return str(row.username) if row is not None else f"unknown:{name_key(username)[:16]}"


def _reserve(
    conn: Connection, keys: list[tuple[str, throttle.Limit]], at: dt.datetime, actor: str
) -> throttle.Refused | None:
    """Reserve one attempt on every key, or on none (the first locked key is returned)."""
    taken: list[str] = []
    for key, limit in keys:
        refused = throttle.reserve(conn, key, at, limit, actor=actor)
        if refused is not None:
            for done in taken:
                throttle.release(conn, done)
            return refused
        taken.append(key)
    return None


def verify_password(node: Node, row: Any, password: str) -> bool:
    # An unknown user costs the same hash as a known one: no timing oracle for names.
    stored = row.password_hash if row is not None else _dummy_hash(node)
    try:
        return bool(hasher(node.settings.password_hashing).verify(stored, password))
    except (VerificationError, InvalidHashError):
        return False


def authenticate(
    node: Node, username: str, password: str, *, source: str = "api", address: str | None = None
) -> Principal:
    """Check a password (``source``: the channel, ``address``: the client's address)."""
    keys = _keys(node, username, address)
    details = {"source": source} | ({"address": address} if address else {})
    with node.transaction() as conn:
        at = now()
        # A write first: on SQLite it takes the write lock (waiting its turn) before any read,
        # so this transaction never has to turn a read snapshot into a write.
        throttle.ensure(conn, keys[0][0], at)
        row = conn.execute(select(users).where(username_is(username))).first()
        who = audit_name(row, username)
        refused = _reserve(conn, keys, at, who)
        throttle.prune(conn, at, dt.timedelta(minutes=node.settings.login_lockout_minutes))
        if refused is not None and refused.first:
            kind = refused.key.split(":", 1)[0]
            audit.record(
                conn,
                actor=who,
                action="auth.login_refused",
                object_type="user",
                object_id=who,
                details=details | {"locked": kind, "until": refused.until.isoformat()},
            )
    if refused is not None:
        raise NotAuthenticated(locked_message(refused.until))
    ok = verify_password(node, row, password) and row is not None and bool(row.active)
    with node.transaction() as conn:
        if ok:
            throttle.clear(conn, keys[-1][0])  # the name's failures are forgiven
            for key, _ in keys[:-1]:
                throttle.release(conn, key)  # the address gets its attempt back
        audit.record(
            conn,
            actor=who,
            action="auth.login" if ok else "auth.login_failed",
            object_type="user",
            object_id=who,
            details=details,
        )
    if not ok or row is None:
        raise NotAuthenticated(WRONG)
    return principal_of(row, via="session")


def _dummy_hash(node: Node) -> str:
    """A hash of nothing, made once per node: checking it costs what checking a real one does."""
    kind = node.settings.password_hashing
    return node.runtime.dummy_hash(kind, lambda: hasher(kind).hash(secrets.token_urlsafe(16)))


def sign_in(
    node: Node, username: str, password: str, *, source: str = "api", address: str | None = None
) -> SignIn:
    """Sign in with a password: the principal and a new browser session (the API and the
    pages both sign people in here)."""
    principal = authenticate(node, username, password, source=source, address=address)
    return SignIn(principal, open_session(node, principal))


def open_session(node: Node, principal: Principal) -> SessionOpened:
    token = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(24)
    expires = now() + dt.timedelta(hours=node.settings.session_hours)
    with node.transaction() as conn:
        conn.execute(
            insert(sessions).values(
                session_hash=digest(token),
                user_id=principal.user_id,
                csrf_token=csrf,
                created_at=now(),
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
            .where(sessions.c.session_hash == digest(token))
        ).first()
    if row is None or not row.active or aware(row.expires_at) <= now():
        raise NotAuthenticated("the session has expired; sign in again")
    return principal_of(row, via="session"), row.csrf_token


def close_session(node: Node, principal: Principal, token: str) -> None:
    """Sign out: the session ends (only the principal's own session is closed)."""
    with node.transaction() as conn:
        conn.execute(
            delete(sessions).where(
                sessions.c.session_hash == digest(token), sessions.c.user_id == principal.user_id
            )
        )
        audit.record(
            conn,
            actor=principal.username,
            action="auth.logout",
            object_type="user",
            object_id=principal.username,
        )
