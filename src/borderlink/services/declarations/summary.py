"""What the node holds, in a few numbers: totals, the busiest office (the demo's report and the
facts its steps start from). The newest day declared is :func:`.read.latest_day`.

For the demo's report; reading them needs ``dashboard:read`` and, for an
office-scoped principal, covers only their office.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, func, select

from borderlink.services.accounts.access import Permission, Principal, office_scope, require
from borderlink.services.node import Node
from borderlink.store.tables import declarations, goods_items, outcomes, parties, rejects


def busiest_office(node: Node, principal: Principal) -> str | None:
    """The office with the most declarations (None when there are none)."""
    require(principal, Permission.DASHBOARD_READ)
    query = (
        select(declarations.c.office_id)
        .where(declarations.c.office_id.is_not(None))
        .group_by(declarations.c.office_id)
        .order_by(func.count().desc())
        .limit(1)
    )
    with node.read() as conn:
        found: str | None = conn.execute(_scoped(query, principal)).scalar_one_or_none()
    return found


def _scoped(query: Select[Any], principal: Principal) -> Select[Any]:
    office = office_scope(principal)
    return query if office is None else query.where(declarations.c.office_id == office)


def node_totals(node: Node, principal: Principal) -> dict[str, Any]:
    """Declarations, items, traders, offices, origins, HS codes, the dates covered, illicit
    outcomes and open rejects, for the whole node (administrators and system principals)."""
    require(principal, Permission.USERS_MANAGE)  # node-wide figures, across every office
    with node.read() as conn:
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
