"""What this node received from partners (inbox) and what each partner received (outbox).

The outbox shows each partner's copy exactly as released: after the agreement's redactions, with
the fields removed and why. Nominal fields (marked in STIX with the nominal-data marking) are
masked for readers without ``nominal:read``; when shown, the read is audited.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel
from sqlalchemy import func, select

from borderlink.cooperation.policy import redact
from borderlink.errors import InvalidInput
from borderlink.exchange.stix import NOMINAL_MARKING
from borderlink.exchange.stix import flat_view as flat_view  # re-exported: the shells show it
from borderlink.services.accounts import audit
from borderlink.services.accounts.access import (
    REDACTED,
    Permission,
    Principal,
    require,
    sees_nominal,
)
from borderlink.services.declarations.read import MAX_PAGE, Page
from borderlink.services.node import Node
from borderlink.store.cooperation_tables import coop_records, released


class RecordView(BaseModel):
    record_id: str
    kind: str
    issuer: str
    received_from: str | None
    modified: dt.datetime
    summary: str
    stix: dict[str, Any]
    masked: list[str]  # nominal fields withheld from this reader


class ReleaseView(BaseModel):
    seq: int
    partner_id: str
    record_id: str
    version: str
    agreement_id: str
    removed: list[dict[str, Any]]  # [{field, reason}]: what the agreement took out
    stix: dict[str, Any]  # the partner's copy
    masked: list[str]
    released_at: dt.datetime


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def mask_nominal(obj: dict[str, Any], nominal: bool) -> tuple[dict[str, Any], list[str]]:
    """``obj`` as a reader sees it: unless the reader may see ``nominal`` data, every field its
    granular markings name as nominal is masked; also the fields masked."""
    if nominal:
        return dict(obj), []
    nominal_fields = [
        selector
        for marking in obj.get("granular_markings", [])
        if marking.get("marking_ref") == NOMINAL_MARKING
        for selector in marking.get("selectors", [])
    ]
    view = redact(obj, nominal_fields, mask=REDACTED)
    return view.values, [r.field for r in view.removed]


def _check(limit: int, offset: int) -> None:
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidInput(f"limit is 1 to {MAX_PAGE}", field="limit")
    if offset < 0:
        raise InvalidInput("offset is 0 or more", field="offset")


def inbox(
    node: Node, principal: Principal, *, limit: int = 50, offset: int = 0
) -> Page[RecordView]:
    """Alerts and seizures received from partners, newest first."""
    require(principal, Permission.SHARING_OUTGOING)
    _check(limit, offset)
    nominal = sees_nominal(principal)
    query = select(coop_records).where(coop_records.c.received_from.is_not(None))
    with node.transaction() as conn:
        total = conn.execute(select(func.count()).select_from(query.subquery())).scalar_one()
        rows = conn.execute(
            query.order_by(coop_records.c.stored_at.desc(), coop_records.c.record_id)
            .limit(limit)
            .offset(offset)
        ).all()
        views = []
        for r in rows:
            stix, masked = mask_nominal(flat_view(r.document), nominal)
            views.append(
                RecordView(
                    record_id=r.record_id,
                    kind=r.kind,
                    issuer=r.issuer,
                    received_from=r.received_from,
                    modified=_aware(r.modified),
                    summary=str(stix.get("title") or stix.get("goods_description") or r.kind),
                    stix=stix,
                    masked=masked,
                )
            )
        audit_nominal_shown(conn, principal, nominal, "sharing.inbox", [v.record_id for v in views])
    return Page[RecordView](items=views, total=total, limit=limit, offset=offset)


def outbox(
    node: Node, principal: Principal, *, limit: int = 50, offset: int = 0
) -> Page[ReleaseView]:
    """Every copy released to a partner, newest first, as the partner received it."""
    require(principal, Permission.SHARING_OUTGOING)
    _check(limit, offset)
    nominal = sees_nominal(principal)
    with node.transaction() as conn:
        total = conn.execute(select(func.count()).select_from(released)).scalar_one()
        rows = conn.execute(
            select(released).order_by(released.c.seq.desc()).limit(limit).offset(offset)
        ).all()
        views = []
        for r in rows:
            stix, masked = mask_nominal(flat_view(r.stix), nominal)
            views.append(
                ReleaseView(
                    seq=r.seq,
                    partner_id=r.partner_id,
                    record_id=r.record_id,
                    version=r.version,
                    agreement_id=r.agreement_id,
                    removed=list(r.removed),
                    stix=stix,
                    masked=masked,
                    released_at=_aware(r.added_at),
                )
            )
        audit_nominal_shown(
            conn, principal, nominal, "sharing.outbox", [v.record_id for v in views]
        )
    return Page[ReleaseView](items=views, total=total, limit=limit, offset=offset)


def audit_nominal_shown(
    conn: Any, principal: Principal, nominal: bool, action: str, shown: list[str]
) -> None:
    """Record in the audit log that ``principal`` was shown nominal data of ``shown`` records
    (nothing when it was masked or nothing was shown)."""
    if nominal and shown:
        audit.record(
            conn,
            actor=principal.username,
            action=action,
            object_type="coop_record",
            reason="records with nominal data shown",
            details={"shown": shown},
        )
