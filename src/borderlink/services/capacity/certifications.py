"""The node's certification requirements, and the check gated use cases make.

A requirement is data (``certification_requirements``): the action, the certification it needs,
why. Nothing is gated until the node says so (``borderlink certifications require``), so a node
decides for itself what its officers must be certified for. The check is made by the use case
doing the act, inside its transaction, from the acting principal; the node's own work (a system
principal: the command line's operator, the demo, background jobs) is not a person and holds no
certificates, so it is not gated; ``--as USER`` on the command line is.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel
from sqlalchemy import Connection, select, update
from sqlalchemy.dialects import postgresql, sqlite

from borderlink import capacity
from borderlink.errors import InvalidInput, PermissionDenied
from borderlink.model.capacity import GatedAction, Requirement
from borderlink.services.accounts import audit
from borderlink.services.accounts.access import Permission, Principal, require
from borderlink.services.capacity._rows import standing_records
from borderlink.services.node import Node
from borderlink.store.capacity_tables import certification_requirements as table


class RequirementChange(BaseModel):
    action: GatedAction
    certification: str
    change: str  # added, replaced, unchanged


def _requirement(row: Any) -> Requirement:
    return Requirement(
        action=GatedAction(row.action),
        certification=row.certification,
        reason=row.reason,
        active=row.active,
    )


def list_requirements(node: Node, principal: Principal) -> list[Requirement]:
    """What the node reserves to certified people (everyone may know what they need)."""
    require(principal, Permission.TRAINING_OWN)
    with node.read() as conn:
        rows = conn.execute(select(table).order_by(table.c.action)).all()
    return [_requirement(r) for r in rows]


def _save_one(conn: Connection, principal: Principal, wanted: Requirement) -> RequirementChange:
    before = conn.execute(select(table).where(table.c.action == wanted.action.value)).first()
    if before is not None and _requirement(before) == wanted:
        return RequirementChange(
            action=wanted.action, certification=wanted.certification, change="unchanged"
        )
    values = {
        "certification": wanted.certification,
        "reason": wanted.reason,
        "active": wanted.active,
        "updated_by": principal.username,
        "updated_at": dt.datetime.now(dt.UTC),
    }
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    conn.execute(
        dialect.insert(table)
        .values(action=wanted.action.value, **values)
        .on_conflict_do_update(index_elements=["action"], set_=values)
    )
    audit.record(
        conn,
        actor=principal.username,
        action="certification.require",
        object_type="requirement",
        object_id=wanted.action.value,
        details=wanted.model_dump(mode="json"),
    )
    change = "added" if before is None else "replaced"
    return RequirementChange(
        action=wanted.action, certification=wanted.certification, change=change
    )


def save_requirements(
    node: Node, principal: Principal, wanted: list[Requirement]
) -> list[RequirementChange]:
    """Add requirements or replace them by action, all or none (the same set twice: no change)."""
    require(principal, Permission.TRAINING_MANAGE)
    with node.transaction() as conn:
        return [_save_one(conn, principal, r) for r in wanted]


def load_requirements_file(
    node: Node, principal: Principal, path: Path | None
) -> list[RequirementChange]:
    """Requirements from a YAML/JSON file, or the built-in example set when ``path`` is None."""
    if path is None:
        return save_requirements(node, principal, capacity.builtin_requirements())
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise InvalidInput(f"cannot read requirements from {path}: {error}") from None
    return save_requirements(node, principal, capacity.parse_requirements(data))


def lift_requirement(node: Node, principal: Principal, action: GatedAction) -> Requirement:
    """Stop gating ``action`` (the requirement is kept, inactive, for the record)."""
    require(principal, Permission.TRAINING_MANAGE)
    with node.transaction() as conn:
        row = conn.execute(select(table).where(table.c.action == action.value)).first()
        if row is None:
            raise InvalidInput(f"no requirement for {action.value}", field="action")
        if row.active:
            conn.execute(
                update(table)
                .where(table.c.action == action.value)
                .values(
                    active=False, updated_by=principal.username, updated_at=dt.datetime.now(dt.UTC)
                )
            )
            audit.record(
                conn,
                actor=principal.username,
                action="certification.lift",
                object_type="requirement",
                object_id=action.value,
            )
        return _requirement(row).model_copy(update={"active": False})


def require_certified(
    conn: Connection, principal: Principal, action: GatedAction, *, on: dt.date | None = None
) -> None:
    """Refuse (:class:`PermissionDenied`) a person without the certification ``action`` needs.

    Called by the use case doing ``action``, in its transaction; does nothing when the node
    requires nothing for it, or for a system principal (see the module docstring).
    """
    row = conn.execute(
        select(table).where(table.c.action == action.value, table.c.active.is_(True))
    ).first()
    if row is None or principal.is_system:
        return
    day = on or dt.datetime.now(dt.UTC).date()
    records = standing_records(conn, username=principal.username, certification=row.certification)
    if not capacity.held(records, day):
        raise PermissionDenied(
            f"{principal.username!r} may not {action.value}: it needs the certification "
            f"{row.certification} in force ({row.reason})",
            field="certification",
        )
