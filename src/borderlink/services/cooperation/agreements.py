"""Use cases about agreements: register one (as a draft), walk its lifecycle, read them.

All of them need ``agreements:manage``.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Connection, insert, select, update

from borderlink.cooperation.agreements import parse_agreement, transition
from borderlink.errors import Conflict, InvalidInput, NotFound
from borderlink.model.cooperation import Agreement, AgreementState
from borderlink.services.accounts.access import Permission, Principal, require
from borderlink.services.accounts.audit import record as audit
from borderlink.services.node import Node
from borderlink.store.cooperation_tables import agreements


def add_agreement(
    node: Node, principal: Principal, agreement: Agreement, *, reason: str | None = None
) -> Agreement:
    """Register an agreement this node is party to; it starts as a draft, as agreements do."""
    require(principal, Permission.AGREEMENTS_MANAGE)
    if node.settings.node_id not in agreement.parties:
        raise InvalidInput(
            f"this node ({node.settings.node_id}) is not a party to {agreement.agreement_id}",
            field="parties",
        )
    if agreement.state != AgreementState.DRAFT:
        raise InvalidInput(
            "a new agreement starts as a draft; move it on with `agreements transition`",
            field="state",
        )
    with node.transaction() as conn:
        exists = conn.execute(
            select(agreements.c.agreement_id).where(
                agreements.c.agreement_id == agreement.agreement_id
            )
        ).first()
        if exists is not None:
            raise Conflict(f"agreement {agreement.agreement_id} already exists")
        conn.execute(
            insert(agreements).values(
                agreement_id=agreement.agreement_id,
                state=agreement.state.value,
                document=agreement.as_document(),
                updated_at=dt.datetime.now(dt.UTC),
            )
        )
        audit(
            conn,
            actor=principal.username,
            action="agreement.add",
            object_type="agreement",
            object_id=agreement.agreement_id,
            reason=reason,
            details=agreement.as_document(),
        )
    return agreement


def transition_agreement(
    node: Node,
    principal: Principal,
    agreement_id: str,
    to: AgreementState,
    *,
    reason: str | None = None,
) -> Agreement:
    require(principal, Permission.AGREEMENTS_MANAGE)
    with node.transaction() as conn:
        current = _get(conn, agreement_id)
        moved = transition(current, to)
        conn.execute(
            update(agreements)
            .where(agreements.c.agreement_id == agreement_id)
            .values(
                state=moved.state.value,
                document=moved.as_document(),
                updated_at=dt.datetime.now(dt.UTC),
            )
        )
        audit(
            conn,
            actor=principal.username,
            action="agreement.transition",
            object_type="agreement",
            object_id=agreement_id,
            reason=reason,
            details={"from": current.state.value, "to": moved.state.value},
        )
    return moved


def get_agreement(node: Node, principal: Principal, agreement_id: str) -> Agreement:
    require(principal, Permission.AGREEMENTS_MANAGE)
    with node.read() as conn:
        return _get(conn, agreement_id)


def list_agreements(node: Node, principal: Principal) -> list[Agreement]:
    require(principal, Permission.AGREEMENTS_MANAGE)
    with node.read() as conn:
        return load_agreements(conn)


def load_agreements(conn: Connection) -> list[Agreement]:
    rows = conn.execute(select(agreements.c.document).order_by(agreements.c.agreement_id))
    return [parse_agreement(r.document) for r in rows]


def _get(conn: Connection, agreement_id: str) -> Agreement:
    row = conn.execute(
        select(agreements.c.document).where(agreements.c.agreement_id == agreement_id)
    ).first()
    if row is None:
        raise NotFound(f"no agreement {agreement_id!r}", field="agreement_id")
    return parse_agreement(row.document)
