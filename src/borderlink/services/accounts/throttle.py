"""Sign-in throttling: failures counted per name and per source, atomically, in the database.

A password is checked only after an attempt has been *reserved*: one conditional UPDATE adds it
to the key's failures unless the key is locked or at its limit, so however many requests arrive
at once, no more than the limit reach the password check (the database serialises the UPDATEs
on the row: SQLite one writer at a time, PostgreSQL a row lock and the condition re-read after
it). A sign-in that succeeds gives its reservation back.

State lives in ``login_throttle`` (one row per key, whatever the number of attempts), so it holds
across the processes of a server behind a load balancer. Attempts refused while a key is locked
are counted in its row; the audit log gets one entry when a lock first refuses and one with the
count of repeats when the lock is over, never one per attempt.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, case, select, update
from sqlalchemy.dialects import postgresql, sqlite

from borderlink.services.accounts import audit
from borderlink.services.accounts._common import aware
from borderlink.store.accounts_tables import login_throttle

T = login_throttle.c


@dataclass(frozen=True)
class Limit:
    """``failures`` within ``window`` lock a key for ``lockout``."""

    failures: int
    window: dt.timedelta
    lockout: dt.timedelta


@dataclass(frozen=True)
class Refused:
    """The key that is locked, until when; ``first``: this is the lock's first refusal."""

    key: str
    until: dt.datetime
    first: bool


def ensure(conn: Connection, key: str, at: dt.datetime) -> None:
    """The key's row, made if missing (a write: on SQLite it takes the write lock)."""
    values = {"key": key, "failures": 0, "window_start": at, "locked_until": None, "refused": 0}
    statement: Any
    if conn.dialect.name == "postgresql":
        statement = postgresql.insert(login_throttle).on_conflict_do_nothing()
    else:
        statement = sqlite.insert(login_throttle).on_conflict_do_nothing()
    conn.execute(statement.values(**values))


def _renew(conn: Connection, key: str, at: dt.datetime, limit: Limit, actor: str) -> None:
    """Start a new window when the lock or the window is over. Compare-and-set on what was
    read, so of two requests renewing at once one does it (and writes the summary)."""
    row = conn.execute(select(login_throttle).where(T.key == key)).one()
    lock = aware(row.locked_until) if row.locked_until is not None else None
    over = lock <= at if lock is not None else aware(row.window_start) <= at - limit.window
    if not over:
        return
    renewed = conn.execute(
        update(login_throttle)
        .where(T.key == key, T.window_start == row.window_start, T.refused == row.refused)
        .values(failures=0, window_start=at, locked_until=None, refused=0)
    )
    if renewed.rowcount == 1 and row.refused > 1 and lock is not None:
        audit.record(
            conn,
            actor=actor,
            action="auth.login_refused",
            object_type="throttle",
            object_id=key,
            details={"repeats": row.refused, "locked_until": lock.isoformat()},
        )


def reserve(
    conn: Connection, key: str, at: dt.datetime, limit: Limit, *, actor: str
) -> Refused | None:
    """Count one attempt for ``key`` before its password is checked; a :class:`Refused` when
    the key is locked (the refusal is counted instead)."""
    ensure(conn, key, at)
    _renew(conn, key, at, limit, actor)
    reached = T.failures + 1 >= limit.failures
    taken = conn.execute(
        update(login_throttle)
        .where(T.key == key, T.locked_until.is_(None), T.failures < limit.failures)
        .values(
            failures=T.failures + 1,
            locked_until=case((reached, at + limit.lockout), else_=None),
        )
    )
    if taken.rowcount == 1:
        return None
    conn.execute(update(login_throttle).where(T.key == key).values(refused=T.refused + 1))
    row = conn.execute(select(T.refused, T.locked_until).where(T.key == key)).one()
    until = aware(row.locked_until) if row.locked_until is not None else at + limit.lockout
    return Refused(key=key, until=until, first=row.refused == 1)


def release(conn: Connection, key: str) -> None:
    """Give back one reserved attempt (its sign-in succeeded)."""
    conn.execute(
        update(login_throttle)
        .where(T.key == key)
        .values(failures=case((T.failures > 0, T.failures - 1), else_=0))
    )


def clear(conn: Connection, key: str) -> None:
    """Forget a key's failures and lock (a successful sign-in, or ``users unlock``)."""
    conn.execute(
        update(login_throttle).where(T.key == key).values(failures=0, locked_until=None, refused=0)
    )


def locked_until(conn: Connection, key: str, at: dt.datetime) -> dt.datetime | None:
    row = conn.execute(select(T.locked_until).where(T.key == key)).first()
    if row is None or row.locked_until is None or aware(row.locked_until) <= at:
        return None
    return aware(row.locked_until)
