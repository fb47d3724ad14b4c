"""The sign-in throttle's table stays bounded: keys whose window and lock are over go."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import insert, select

from borderlink.errors import NotAuthenticated
from borderlink.services import Node
from borderlink.services.accounts import throttle
from borderlink.services.accounts import users as accounts
from borderlink.store.accounts_tables import login_throttle
from borderlink.store.tables import audit_log
from tests.surfaces import fast

NOW = dt.datetime.now(dt.UTC)
HOUR = dt.timedelta(hours=1)


def _row(
    key: str, start: dt.datetime, locked: dt.datetime | None, refused: int = 0
) -> dict[str, object]:
    return {
        "key": key,
        "failures": 3,
        "window_start": start,
        "locked_until": locked,
        "refused": refused,
    }


def _keys(node: Node) -> set[str]:
    with node.read() as conn:
        return set(conn.execute(select(login_throttle.c.key)).scalars())


def test_a_sign_in_removes_keys_whose_window_and_lock_are_over(node: Node) -> None:
    node = fast(node)
    old = [_row(f"name:old{i}", NOW - 2 * HOUR, None) for i in range(150)]
    kept = [
        _row("name:recent", NOW - dt.timedelta(minutes=1), None),  # its window still counts
        _row("name:locked", NOW - 2 * HOUR, NOW + HOUR),  # still locked
    ]
    with node.transaction() as conn:
        conn.execute(insert(login_throttle), [*old, *kept])
    with pytest.raises(NotAuthenticated):
        accounts.authenticate(node, "nobody", "a guess at it", address="192.0.2.1")
    left = _keys(node)
    assert {"name:recent", "name:locked"} <= left
    assert len([k for k in left if k.startswith("name:old")]) == 150 - throttle.PRUNE_BATCH
    with pytest.raises(NotAuthenticated):
        accounts.authenticate(node, "nobody", "a guess at it", address="192.0.2.1")
    assert not [k for k in _keys(node) if k.startswith("name:old")]


def test_a_pruned_lock_still_reports_its_repeats(node: Node) -> None:
    with node.transaction() as conn:
        conn.execute(insert(login_throttle), [_row("source:x", NOW - 2 * HOUR, NOW - HOUR, 7)])
        assert throttle.prune(conn, NOW, dt.timedelta(minutes=15)) == 1
    with node.read() as conn:
        summary = conn.execute(
            select(audit_log.c.action, audit_log.c.object_id, audit_log.c.details)
        ).all()
    assert [(a, o, d["repeats"]) for a, o, d in summary] == [("auth.login_refused", "source:x", 7)]
