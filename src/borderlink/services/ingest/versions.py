"""Use cases over a declaration's versions: amend or cancel it, read its history.

Amending needs ``declarations:submit`` (who may lodge may correct); the history needs
``declarations:read`` within the reader's office, and party identifiers in it are redacted for
a reader who does not see nominal data, as on the declaration itself. After a change the
declaration is scored again with the node's model (when one exists) and routed to agencies.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel
from sqlalchemy import select

from borderlink.services.accounts import audit
from borderlink.services.accounts.access import (
    REDACTED,
    Permission,
    Principal,
    require,
    sees_nominal,
)
from borderlink.services.coordination.routing import route_submitted
from borderlink.services.declarations.read import ensure_visible
from borderlink.services.ingest.amend import AmendmentIn, apply_amendment
from borderlink.services.node import Node
from borderlink.services.refdata.load import snapshot
from borderlink.services.risk import score as risk
from borderlink.store.risk_tables import risk_models
from borderlink.store.tables import declaration_versions

PARTY_FIELDS = frozenset({"declarant_id", "importer_id", "exporter_id", "carrier_id"})


class Change(BaseModel):
    field: str
    item_no: int | None = None
    before: str | None = None
    after: str | None = None


class Version(BaseModel):
    version: int
    kind: str  # amend, cancel
    at: dt.datetime
    actor: str
    reason: str | None = None
    source: str | None = None
    changes: list[Change]


class Amended(BaseModel):
    declaration_id: str
    version: int | None  # None: nothing changed
    rescored: dict[str, Any] | None = None


def rescore(node: Node, principal: Principal, declaration_ids: list[str]) -> dict[str, Any]:
    """Score the changed declarations again with the current model, if any, and route them."""
    if not declaration_ids:
        return {}
    found: dict[str, Any] = {}
    with node.read() as conn:
        has_model = conn.execute(select(risk_models.c.version).limit(1)).first() is not None
    if has_model:
        found = risk.score_many(node, risk.SCORER, declaration_ids, route=False)
    route_submitted(node, principal, declaration_ids)
    return found


def amend_declaration(
    node: Node,
    principal: Principal,
    declaration_id: str,
    amendment: AmendmentIn,
    *,
    source: str = "api",
) -> Amended:
    """Apply changed fields (or a cancellation) to a stored declaration, keeping its history."""
    require(principal, Permission.DECLARATIONS_SUBMIT)
    refdata = snapshot(node)
    with node.transaction() as conn:
        version = apply_amendment(
            conn,
            declaration_id,
            amendment,
            actor=principal.username,
            source=source,
            refdata=refdata,
        )
    scored = None
    if version is not None and not amendment.cancel:
        scored = rescore(node, principal, [declaration_id]).get(declaration_id)
    return Amended(declaration_id=declaration_id, version=version, rescored=scored)


def _shown(change: dict[str, Any], nominal: bool) -> Change:
    if nominal or change["field"] not in PARTY_FIELDS:
        return Change.model_validate(change)
    hidden = {k: REDACTED if change[k] is not None else None for k in ("before", "after")}
    return Change.model_validate(change | hidden)


def history(node: Node, principal: Principal, declaration_id: str) -> list[Version]:
    """Every change to a declaration, oldest first, field by field."""
    ensure_visible(node, principal, declaration_id)
    nominal = sees_nominal(principal)
    with node.transaction() as conn:
        rows = conn.execute(
            select(declaration_versions)
            .where(declaration_versions.c.declaration_id == declaration_id)
            .order_by(declaration_versions.c.version)
        ).all()
        parties = [c["field"] for r in rows for c in r.changes if c["field"] in PARTY_FIELDS]
        if nominal and parties:  # a read that shows party data is audited
            audit.record(
                conn,
                actor=principal.username,
                action="declaration.read",
                object_type="declaration",
                object_id=declaration_id,
                reason="history, with nominal data",
                details={"fields": sorted(set(parties))},
            )
    return [
        Version(
            version=r.version,
            kind=r.kind,
            at=r.at,
            actor=r.actor,
            reason=r.reason,
            source=r.source,
            changes=[_shown(c, nominal) for c in r.changes],
        )
        for r in rows
    ]
