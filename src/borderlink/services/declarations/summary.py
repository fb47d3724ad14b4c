"""What the node holds, in a few numbers: the demo's report and the facts its steps start from."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select

from borderlink.services.node import Node
from borderlink.store.tables import declarations, goods_items, outcomes, parties, rejects


def busiest_office(node: Node) -> str | None:
    """The customs office with the most declarations (None on an empty node)."""
    with node.engine.connect() as conn:
        office: str | None = conn.execute(
            select(declarations.c.office_id)
            .where(declarations.c.office_id.is_not(None))
            .group_by(declarations.c.office_id)
            .order_by(func.count().desc())
            .limit(1)
        ).scalar_one_or_none()
    return office


def last_declared_on(node: Node) -> dt.date | None:
    """The date of the newest stored declaration (None on an empty node)."""
    with node.engine.connect() as conn:
        last: dt.date | None = conn.execute(
            select(func.max(declarations.c.declared_on))
        ).scalar_one()
    return last


def node_totals(node: Node) -> dict[str, Any]:
    """What the node now holds, in numbers an officer recognises."""
    with node.engine.connect() as conn:
        first, last = conn.execute(
            select(func.min(declarations.c.declared_on), func.max(declarations.c.declared_on))
        ).one()

        def count(query: Any) -> int:
            return int(conn.execute(query).scalar_one())

        return {
            "declarations": count(select(func.count()).select_from(declarations)),
            "goods_items": count(select(func.count()).select_from(goods_items)),
            "traders": count(select(func.count()).select_from(parties)),
            "offices": count(select(func.count(func.distinct(declarations.c.office_id)))),
            "origins": count(select(func.count(func.distinct(goods_items.c.origin_country)))),
            "hs_codes": count(select(func.count(func.distinct(goods_items.c.hs_code)))),
            "first_date": first.isoformat() if first else None,
            "last_date": last.isoformat() if last else None,
            "inspected_illicit": count(
                select(func.count()).select_from(outcomes).where(outcomes.c.illicit.is_(True))
            ),
            "open_rejects": count(
                select(func.count()).select_from(rejects).where(rejects.c.status == "open")
            ),
        }
