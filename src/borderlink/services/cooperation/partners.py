"""Use cases about who this node is and which partner nodes it knows.

Changing the node's key and its partners needs ``partners:manage``; :func:`get_partner` and
:func:`known_partners` are lookups for the exchange's own use (no person asks them).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Connection, RowMapping, delete, insert, select

from borderlink.errors import Conflict, InvalidInput, NotFound
from borderlink.exchange.identity import (
    NodeIdentity,
    Partner,
    RetiredKey,
    create_key,
    load_key,
    load_public_key,
)
from borderlink.services.accounts.access import Permission, Principal, require
from borderlink.services.accounts.audit import record as audit
from borderlink.services.node import Node
from borderlink.store.cooperation_tables import partners
from borderlink.store.exchange_tables import node_keys


def init_node(node: Node, principal: Principal, *, overwrite: bool = False) -> NodeIdentity:
    """Create the node's signing key (once) and say who the node is."""
    require(principal, Permission.PARTNERS_MANAGE)
    key = create_key(node.settings.node_key_path, overwrite=overwrite)
    identity = NodeIdentity(node.settings.node_id, node.settings.node_name, key)
    with node.transaction() as conn:
        audit(
            conn,
            actor=principal.username,
            action="node.init",
            object_type="node",
            object_id=identity.node_id,
            details={"public_key": identity.public_key},
        )
    return identity


def node_identity(node: Node) -> NodeIdentity:
    """The node's identity with its signing key (:class:`ConfigurationError` without a key)."""
    key = load_key(node.settings.node_key_path)
    return NodeIdentity(node.settings.node_id, node.settings.node_name, key)


def add_partner(
    node: Node, principal: Principal, partner: Partner, *, reason: str | None = None
) -> Partner:
    """Register a partner node; re-adding the same partner changes nothing, a new key conflicts."""
    require(principal, Permission.PARTNERS_MANAGE)
    load_public_key(partner.public_key)  # refuse a malformed key before storing it
    if partner.partner_id == node.settings.node_id:
        raise InvalidInput("a node cannot be its own partner", field="partner_id")
    if not partner.base_url.startswith(("http://", "https://")):
        raise InvalidInput("base URL must be http(s)://...", field="base_url")
    with node.transaction() as conn:
        row = conn.execute(
            select(partners).where(partners.c.partner_id == partner.partner_id)
        ).first()
        if row is not None:
            existing = _partner(row._mapping)
            if existing == partner:
                return existing
            raise Conflict(
                f"partner {partner.partner_id} is already registered with other details; "
                "remove it first"
            )
        conn.execute(
            insert(partners).values(
                partner_id=partner.partner_id,
                name=partner.name,
                public_key=partner.public_key,
                base_url=partner.base_url.rstrip("/"),
                added_at=dt.datetime.now(dt.UTC),
            )
        )
        audit(
            conn,
            actor=principal.username,
            action="partner.add",
            object_type="partner",
            object_id=partner.partner_id,
            reason=reason,
            details={"public_key": partner.public_key, "base_url": partner.base_url},
        )
    return get_partner(node, partner.partner_id)


def get_partner(node: Node, partner_id: str) -> Partner:
    with node.read() as conn:
        row = conn.execute(select(partners).where(partners.c.partner_id == partner_id)).first()
        retired = retired_keys(conn, partner_id)
    if row is None:
        raise NotFound(f"no partner {partner_id!r}", field="partner_id")
    return _partner(row._mapping, retired)


def retired_keys(conn: Connection, node_id: str) -> tuple[RetiredKey, ...]:
    """The keys ``node_id`` (a partner, or this node) rotated away from, newest first."""
    rows = conn.execute(
        select(node_keys.c.public_key, node_keys.c.valid_until)
        .where(node_keys.c.node_id == node_id, node_keys.c.valid_until.is_not(None))
        .order_by(node_keys.c.valid_until.desc())
    ).all()
    # SQLite hands back naive datetimes, in UTC as written.
    return tuple(
        RetiredKey(key, until if until.tzinfo else until.replace(tzinfo=dt.UTC))
        for key, until in rows
    )


def retired_keys_by_node(conn: Connection) -> dict[str, tuple[RetiredKey, ...]]:
    """:func:`retired_keys` of every node at once (one query, not one per partner: the list of
    partners is read on every signed request)."""
    rows = conn.execute(
        select(node_keys.c.node_id, node_keys.c.public_key, node_keys.c.valid_until)
        .where(node_keys.c.valid_until.is_not(None))
        .order_by(node_keys.c.node_id, node_keys.c.valid_until.desc())
    ).all()
    found: dict[str, list[RetiredKey]] = {}
    for node_id, key, until in rows:
        found.setdefault(node_id, []).append(
            RetiredKey(key, until if until.tzinfo else until.replace(tzinfo=dt.UTC))
        )
    return {node_id: tuple(keys) for node_id, keys in found.items()}


def list_partners(node: Node, principal: Principal) -> list[Partner]:
    require(principal, Permission.PARTNERS_MANAGE)
    return known_partners(node)


def known_partners(node: Node) -> list[Partner]:
    with node.read() as conn:
        rows = conn.execute(select(partners).order_by(partners.c.partner_id)).all()
        retired = retired_keys_by_node(conn)
        return [_partner(r._mapping, retired.get(r.partner_id, ())) for r in rows]


def remove_partner(
    node: Node, principal: Principal, partner_id: str, *, reason: str | None = None
) -> None:
    require(principal, Permission.PARTNERS_MANAGE)
    with node.transaction() as conn:
        gone = conn.execute(delete(partners).where(partners.c.partner_id == partner_id))
        if not gone.rowcount:
            raise NotFound(f"no partner {partner_id!r}", field="partner_id")
        audit(
            conn,
            actor=principal.username,
            action="partner.remove",
            object_type="partner",
            object_id=partner_id,
            reason=reason,
        )


def _partner(m: RowMapping, retired: tuple[RetiredKey, ...] = ()) -> Partner:
    return Partner(
        partner_id=m["partner_id"],
        name=m["name"],
        public_key=m["public_key"],
        base_url=m["base_url"],
        retired=retired,
    )
