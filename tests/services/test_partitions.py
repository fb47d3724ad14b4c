"""``borderlink db partitions --ahead N``: months made ahead once, by whom may, audited."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select, text

from borderlink.errors import InvalidInput, PermissionDenied
from borderlink.services import Node
from borderlink.services.accounts.access import Principal, Role
from borderlink.services.partitions import create_partitions
from borderlink.store.tables import audit_log

ADMIN = Principal.system("test")
TODAY = dt.date(2032, 11, 20)  # months no other test makes


def test_the_months_ahead_are_made_once(node: Node) -> None:
    first = create_partitions(node, ADMIN, ahead=2, today=TODAY)
    again = create_partitions(node, ADMIN, ahead=2, today=TODAY)
    assert first.months == [dt.date(2032, 11, 1), dt.date(2032, 12, 1), dt.date(2033, 1, 1)]
    assert again.created == []
    with node.read() as conn:
        actions = conn.execute(
            select(audit_log.c.action).where(audit_log.c.action == "db.partitions")
        ).scalars()
        assert list(actions) == ["db.partitions", "db.partitions"]
    if node.engine.dialect.name != "postgresql":
        assert (first.partitioned, first.created, first.partitions) == (False, [], 0)
        return
    assert first.partitioned
    assert first.created == [
        f"{table}_y{m}"
        for m in ("2032m11", "2032m12", "2033m01")
        for table in ("declarations", "goods_items")
    ]
    assert again.partitions == first.partitions
    with node.transaction() as conn:  # the session's database stays as it was
        for name in first.created:
            conn.execute(text(f'DROP TABLE "{name}"'))


def test_only_an_administrator_makes_partitions_and_within_bounds(node: Node) -> None:
    officer = Principal(user_id=7, username="officer", role=Role.OFFICER, office_id="OF1")
    with pytest.raises(PermissionDenied):
        create_partitions(node, officer, ahead=1, today=TODAY)
    with pytest.raises(InvalidInput):
        create_partitions(node, ADMIN, ahead=-1, today=TODAY)
