"""A seizure found at inspection, reported to partners from the declaration.

The officer records what was seized in the structured inspection report (per goods item, the
seized quantity); whoever releases records to partners (``sharing:outgoing``) reports it from
the declaration's page: the seizure report is built from the declaration (route, office,
parties) and the report's seized items, and issued through the cooperation use case, so the
release policy decides, partner by partner, what leaves. One seizure report per declaration:
its id derives from the declaration, so reporting again issues a newer version, never another.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from borderlink.errors import Conflict, NotFound
from borderlink.exchange.stix import derived_record_id
from borderlink.model import Route, Seizure
from borderlink.model.cooperation import SeizedParty
from borderlink.services.accounts.access import Permission, Principal, office_scope, require
from borderlink.services.cooperation import records as cooperation
from borderlink.services.coordination.inspections import report_for
from borderlink.services.node import Node
from borderlink.store.tables import declarations, goods_items, parties

PARTY_ROLES = ("importer", "exporter", "declarant", "carrier")


def _parties(conn: Any, header: Any) -> tuple[SeizedParty, ...]:
    ids = {role: getattr(header, f"{role}_id") for role in PARTY_ROLES}
    known = {
        r.party_id: r
        for r in conn.execute(
            select(parties).where(parties.c.party_id.in_([i for i in ids.values() if i]))
        )
    }
    return tuple(
        SeizedParty(
            role=role,
            party_id=pid,
            name=known[pid].name if pid in known else None,
            country=known[pid].country if pid in known else None,
        )
        for role, pid in ids.items()
        if pid
    )


def report_seizure(
    node: Node, principal: Principal, declaration_id: str, *, concealment: str | None = None
) -> cooperation.IssueResult:
    """Issue the declaration's seizure report (from its inspection report's seized items)."""
    require(principal, Permission.SHARING_OUTGOING)
    report = report_for(node, principal, declaration_id)
    seized = [f for f in (report.findings if report else []) if f.seized_quantity]
    if not seized:
        raise Conflict(
            f"declaration {declaration_id}: its inspection report records nothing seized",
            field="seized_quantity",
        )
    query = select(declarations).where(declarations.c.declaration_id == declaration_id)
    office = office_scope(principal)
    if office is not None:
        query = query.where(declarations.c.office_id == office)
    with node.read() as conn:
        header = conn.execute(query).first()
        if header is None:
            raise NotFound(f"no declaration {declaration_id!r}", field="declaration_id")
        items = {
            g.item_no: g
            for g in conn.execute(
                select(goods_items).where(goods_items.c.declaration_id == declaration_id)
            )
        }
        found_parties = _parties(conn, header)
    first = items[seized[0].item_no]
    now = dt.datetime.now(dt.UTC)
    described = "; ".join(
        f"item {f.item_no}: {f.found_description or items[f.item_no].description or 'goods'}"
        f" ({f.seized_quantity:g} {f.quantity_unit or items[f.item_no].quantity_unit or ''})"
        for f in seized
    ).replace(" )", ")")
    seizure = Seizure(
        id=derived_record_id("seizure", f"declaration:{node.settings.node_id}:{declaration_id}"),
        issuer=node.settings.node_id,
        created=now,
        modified=now,
        seized_on=report.recorded_at.date() if report else now.date(),
        office_id=header.office_id,
        goods_description=described,
        hs_code=first.hs_code,
        origin_country=first.origin_country,
        quantity=sum(f.seized_quantity or 0.0 for f in seized) if len(seized) == 1 else None,
        quantity_unit=(seized[0].quantity_unit or first.quantity_unit)
        if len(seized) == 1
        else None,
        concealment=concealment,
        route=Route(
            departure_country=header.departure_country,
            loading_location=header.loading_location,
            discharge_location=header.discharge_location,
            transport_mode=header.transport_mode,
        ),
        declaration_id=declaration_id,
        parties=found_parties,
    )
    return cooperation.issue(node, principal, seizure)
