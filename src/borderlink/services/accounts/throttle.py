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

The table stays bounded: every sign-in removes up to ``PRUNE_BATCH`` keys whose window and lock
are over (:func:`prune`), so it holds what the last window saw, not every name ever tried.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, case, delete, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from borderlink.services.accounts import audit
from borderlink.services.accounts._common import aware
from borderlink.store.accounts_tables import login_throttle

T = login_throttle.c
# Keys removed per sign-in: more than the (at most two) keys one sign-in adds, so the table
# shrinks back to what the window holds however many names were sprayed at it.
PRUNE_BATCH = 100


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
        _summarise(conn, actor, key, row.refused, lock)


def _summarise(conn: Connection, actor: str, key: str, repeats: int, lock: dt.datetime) -> None:
    """The one audit entry for the attempts a lock refused after its first."""
    audit.record(
        conn,
        actor=actor,
        action="auth.login_refused",
        object_type="throttle",
        object_id=key,
        details={"repeats": repeats, "locked_until": lock.isoformat()},
    )


def prune(conn: Connection, at: dt.datetime, window: dt.timedelta) -> int:
    """Remove up to ``PRUNE_BATCH`` keys whose window and lock are both over (what they
    counted no longer counts); a lock's repeats still get their summary. How many went."""
    over = (T.window_start <= at - window) & or_(T.locked_until.is_(None), T.locked_until <= at)
    stale = select(T.key).where(over).limit(PRUNE_BATCH).scalar_subquery()
    # RETURNING: of two processes pruning at once, each summarises only the rows it removed.
    gone = conn.execute(
        delete(login_throttle)
        .where(T.key.in_(stale), over)
        .returning(T.key, T.refused, T.locked_until)
    ).all()
    for row in gone:
        if row.refused > 1 and row.locked_until is not None:
            _summarise(conn, "system", row.key, row.refused, aware(row.locked_until))
    return len(gone)


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
