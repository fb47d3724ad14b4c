"""What a declaration's message said beyond the flat layout (WCO DM: every party with its
address, goods location, containers, documents, national commodity digits, procedures).

Read like the declaration itself: ``declarations:read`` within the reader's office; for a reader
who does not see nominal data, each party keeps only its role and country.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from borderlink.services.accounts import audit
from borderlink.services.accounts.access import Principal, sees_nominal
from borderlink.services.declarations.read import ensure_visible
from borderlink.services.node import Node
from borderlink.store.tables import declaration_details

# Of a party, what a reader without nominal access sees.
IMPERSONAL = ("role", "country")


def _redacted(details: dict[str, Any]) -> dict[str, Any]:
    parties = [
        {k: v for k, v in party.items() if k in IMPERSONAL} for party in details.get("parties", [])
    ]
    return details | {"parties": parties, "redacted": True}


def as_sent(node: Node, principal: Principal, declaration_id: str) -> dict[str, Any] | None:
    """The details kept with a declaration, or ``None`` when its source gave none."""
    ensure_visible(node, principal, declaration_id)
    with node.read() as conn:
        row = conn.execute(
            select(declaration_details.c.format, declaration_details.c.details).where(
                declaration_details.c.declaration_id == declaration_id
            )
        ).first()
    if row is None:
        return None
    details: dict[str, Any] = json.loads(row.details)
    details["format"] = row.format
    if not sees_nominal(principal):
        return _redacted(details)
    if details.get("parties"):  # a read that shows party data is audited
        with node.transaction() as conn:
            audit.record(
                conn,
                actor=principal.username,
                action="declaration.read",
                object_type="declaration",
                object_id=declaration_id,
                reason="as sent, with nominal data",
            )
    return details
