"""Agency routing rules: load them from a file (replaced by name), list them, the active set.

A rule's current text is in ``agency_rules``; every change is in the audit log with the old and
new condition, so a referral can be traced to the rule text that made it. Loading the same file
twice changes nothing.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel
from sqlalchemy import insert, select, update

from borderlink import coordination
from borderlink.coordination import AgencyRule
from borderlink.services.accounts import audit
from borderlink.services.accounts.access import Permission, Principal, agency_scope, require
from borderlink.services.node import Node
from borderlink.store.coordination_tables import agency_rules

__all__ = [  # AgencyRule and RuleView are what the shells send and receive
    "AgencyRule",
    "RuleChange",
    "RuleView",
    "active_rules",
    "list_rules",
    "load_builtin",
    "load_rules_file",
    "save_rules",
]

RULE_FIELDS = ("name", "agency", "condition", "reason", "active")

Change = Literal["added", "changed", "unchanged"]


class RuleView(BaseModel):
    rule: AgencyRule
    updated_by: str
    updated_at: dt.datetime


class RuleChange(BaseModel):
    name: str
    agency: str
    change: Change


def _aware(value: dt.datetime) -> dt.datetime:
    """SQLite returns naive datetimes for timezone-aware columns: they are UTC."""
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _rule(row: Any) -> AgencyRule:
    return AgencyRule(**{f: getattr(row, f) for f in RULE_FIELDS})


def save_rules(node: Node, principal: Principal, rules: list[AgencyRule]) -> list[RuleChange]:
    """Add new rules and replace changed ones by name, in one transaction; each change audited."""
    require(principal, Permission.REFERRALS_MANAGE)
    actor = principal.username
    now = dt.datetime.now(dt.UTC)
    changes: list[RuleChange] = []
    with node.transaction() as conn:
        names = [r.name for r in rules]
        stored = {
            row.name: _rule(row)
            for row in conn.execute(select(agency_rules).where(agency_rules.c.name.in_(names)))
        }
        for rule in rules:
            before = stored.get(rule.name)
            if before == rule:
                changes.append(RuleChange(name=rule.name, agency=rule.agency, change="unchanged"))
                continue
            values = {**rule.model_dump(), "updated_by": actor, "updated_at": now}
            if before is None:
                conn.execute(insert(agency_rules).values(**values))
            else:
                conn.execute(
                    update(agency_rules).where(agency_rules.c.name == rule.name).values(**values)
                )
            change: Change = "added" if before is None else "changed"
            audit.record(
                conn,
                actor=actor,
                action=f"agency_rule.{'add' if before is None else 'change'}",
                object_type="agency_rule",
                object_id=rule.name,
                details={
                    "rule": rule.model_dump(),
                    "before": before.model_dump() if before else None,
                },
            )
            changes.append(RuleChange(name=rule.name, agency=rule.agency, change=change))
    return changes


def load_rules_file(node: Node, principal: Principal, path: Path) -> list[RuleChange]:
    """The rules of a YAML or JSON file (checked whole before anything is stored)."""
    return save_rules(node, principal, coordination.read_rules_file(path))


def load_builtin(node: Node, principal: Principal, name: str = "example") -> list[RuleChange]:
    """A built-in rule set (``example``: what the demo loads)."""
    return load_rules_file(node, principal, coordination.builtin_rules(name))


def list_rules(node: Node, principal: Principal) -> list[RuleView]:
    """The rules a principal may read, by agency then name: an agency officer sees only those
    routing to their agency."""
    require(principal, Permission.REFERRALS_READ)
    agency = agency_scope(principal)
    query = select(agency_rules).order_by(agency_rules.c.agency, agency_rules.c.name)
    if agency is not None:
        query = query.where(agency_rules.c.agency == agency)
    with node.read() as conn:
        rows = conn.execute(query).all()
    return [
        RuleView(rule=_rule(r), updated_by=r.updated_by, updated_at=_aware(r.updated_at))
        for r in rows
    ]


# Read by every score routed; built once: SQLAlchemy keeps a statement's cache key on it.
ACTIVE_RULES = (
    select(agency_rules).where(agency_rules.c.active.is_(True)).order_by(agency_rules.c.name)
)


def active_rules(node: Node) -> list[AgencyRule]:
    """The rules routing applies now."""
    with node.read() as conn:
        return [_rule(r) for r in conn.execute(ACTIVE_RULES)]
