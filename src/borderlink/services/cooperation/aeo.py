"""Trusted traders: the MRAs this node applies, their trader id mappings, and the traders they
make trusted on a day (what scoring applies, see :mod:`borderlink.risk.aeo`).

An MRA is kept by its id (writing the same document twice changes nothing but its time); a
mapping row by (MRA, partner's id, id declared here). AEO statuses are the cooperation records
of kind ``aeo-status`` this node holds: issued here (its own programme) or received from
partners (latest version, so a suspension or revocation received replaces the grant).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import Connection, select

from borderlink.cooperation.aeo import parse_mra, trusted_traders
from borderlink.errors import InvalidInput, NotFound
from borderlink.exchange.stix import from_stix
from borderlink.model.aeo import Mra, TrustedTrader, trader_key
from borderlink.model.cooperation import AeoStatus
from borderlink.services.accounts.access import Permission, Principal, require
from borderlink.services.accounts.audit import record as audit
from borderlink.services.node import Node
from borderlink.store.bulk import insert_ignore
from borderlink.store.cooperation_tables import coop_records, partners
from borderlink.store.trade_tables import mra_trader_ids, mras

MAX_ID = 64  # the mapping table's column width


def _readable(principal: Principal) -> None:
    # What an MRA grants is no secret (the portal publishes it); who reads it is still someone
    # signed in to work with declarations or agreements.
    if not principal.can(Permission.AGREEMENTS_MANAGE):
        require(principal, Permission.DASHBOARD_READ)


def put_mra(node: Node, principal: Principal, document: Mapping[str, Any]) -> Mra:
    """Add or replace an MRA by its id (liaison officers). Its partner must be a registered
    partner, or this node itself for its own programme. Audited."""
    require(principal, Permission.AGREEMENTS_MANAGE)
    mra = parse_mra(document)
    me = node.settings.node_id
    now = dt.datetime.now(dt.UTC)
    with node.transaction() as conn:
        known = conn.execute(
            select(partners.c.partner_id).where(partners.c.partner_id == mra.partner)
        ).first()
        if mra.partner != me and known is None:
            raise InvalidInput(
                f"MRA {mra.mra_id}: partner {mra.partner!r} is neither a registered partner "
                f"nor this node ({me})",
                field="partner",
            )
        row = {
            "mra_id": mra.mra_id,
            "partner_id": mra.partner,
            "document": mra.as_document(),
            "updated_at": now,
            "updated_by": principal.username,
        }
        held = conn.execute(select(mras.c.document).where(mras.c.mra_id == mra.mra_id)).first()
        if held is None:
            conn.execute(mras.insert().values(**row))
        elif held.document != row["document"]:
            conn.execute(mras.update().where(mras.c.mra_id == mra.mra_id).values(**row))
        else:
            return mra  # the same terms again: nothing to write, nothing to audit
        audit(
            conn,
            actor=principal.username,
            action="mra.put",
            object_type="mra",
            object_id=mra.mra_id,
            details={"partner": mra.partner, "new": held is None},
        )
    return mra


# Read by every score (trusted traders); built once: SQLAlchemy keeps a statement's cache key.
MRA_DOCUMENTS = select(mras.c.document).order_by(mras.c.mra_id)


def _load_mras(conn: Connection) -> list[Mra]:
    rows = conn.execute(MRA_DOCUMENTS)
    return [Mra.model_validate(r.document) for r in rows]


def mras_in_force(node: Node, on: dt.date) -> list[Mra]:
    """The MRAs in force on ``on``: public terms (what the portal publishes; no principal)."""
    with node.read() as conn:
        return [m for m in _load_mras(conn) if m.in_force(on)]


def list_mras(node: Node, principal: Principal) -> list[Mra]:
    _readable(principal)
    with node.read() as conn:
        return _load_mras(conn)


def get_mra(node: Node, principal: Principal, mra_id: str) -> Mra:
    _readable(principal)
    with node.read() as conn:
        row = conn.execute(select(mras.c.document).where(mras.c.mra_id == mra_id)).first()
    if row is None:
        raise NotFound(f"no MRA {mra_id!r}", field="mra_id")
    return Mra.model_validate(row.document)


def _mapping_rows(
    mra_id: str, pairs: Iterable[tuple[str, str]], actor: str
) -> list[dict[str, Any]]:
    now = dt.datetime.now(dt.UTC)
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    for n, (theirs, ours) in enumerate(pairs, start=1):
        for name, value in (("partner_trader_id", theirs), ("local_trader_id", ours)):
            key = trader_key(value or "")
            if not key or len(key) > MAX_ID:
                raise InvalidInput(
                    f"MRA {mra_id} mapping row {n}: {name} {value!r} is not a trader id "
                    f"(1 to {MAX_ID} letters or digits)",
                    field=name,
                )
        pair = (trader_key(theirs), trader_key(ours))
        rows[pair] = {
            "mra_id": mra_id,
            "partner_trader_id": pair[0],
            "local_trader_id": pair[1],
            "added_at": now,
            "added_by": actor,
        }
    return list(rows.values())


def map_traders(
    node: Node, principal: Principal, mra_id: str, pairs: Iterable[tuple[str, str]]
) -> int:
    """Add (partner's trader id, id declared here) rows to an MRA's mapping table; rows held
    already are left as they are, and a bad row refuses the whole load, naming it. Returns
    the number of rows the mapping holds afterwards."""
    require(principal, Permission.AGREEMENTS_MANAGE)
    rows = _mapping_rows(mra_id, pairs, principal.username)
    with node.transaction() as conn:
        if conn.execute(select(mras.c.mra_id).where(mras.c.mra_id == mra_id)).first() is None:
            raise NotFound(f"no MRA {mra_id!r}", field="mra_id")
        insert_ignore(conn, mra_trader_ids, rows)
        held = len(_mappings(conn, [mra_id]).get(mra_id, {}))
        audit(
            conn,
            actor=principal.username,
            action="mra.map",
            object_type="mra",
            object_id=mra_id,
            details={"rows": len(rows)},
        )
    return held


def _mappings(conn: Connection, ids: list[str]) -> dict[str, dict[str, frozenset[str]]]:
    found: dict[str, dict[str, set[str]]] = {}
    query = select(mra_trader_ids).where(mra_trader_ids.c.mra_id.in_(ids))
    for r in conn.execute(query):
        found.setdefault(r.mra_id, {}).setdefault(r.partner_trader_id, set()).add(r.local_trader_id)
    return {m: {k: frozenset(v) for k, v in by.items()} for m, by in found.items()}


def _statuses(conn: Connection) -> list[AeoStatus]:
    rows = conn.execute(select(coop_records.c.document).where(coop_records.c.kind == "aeo-status"))
    held = (from_stix(r.document) for r in rows)
    return [s for s in held if isinstance(s, AeoStatus)]


def trusted_in_force(node: Node, on: dt.date) -> list[TrustedTrader]:
    """The traders trusted under the MRAs in force on ``on`` (what scoring applies; no
    principal: whoever scores was authorised before)."""
    with node.read() as conn:
        held = _load_mras(conn)
        if not held:
            return []
        mappings = _mappings(conn, [m.mra_id for m in held])
        statuses = _statuses(conn)
    return trusted_traders(held, statuses, mappings, own_node=node.settings.node_id, on=on)


def trusted_traders_view(
    node: Node, principal: Principal, on: dt.date | None = None
) -> list[TrustedTrader]:
    """:func:`trusted_in_force` for a person: the ids are party data (``nominal:read``)."""
    require(principal, Permission.NOMINAL_READ)
    return trusted_in_force(node, on or dt.datetime.now(dt.UTC).date())
