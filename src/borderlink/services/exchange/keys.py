"""Key rotation: this node moves to a new signing key; partners learn it from the old one.

:func:`rotate_key` makes a new key, signs a statement naming it with the old key, and keeps both
in ``node_keys`` (the old one accepted until the overlap ends). Partners fetch the statements
with the node's tree head on every sync and apply them in order (:func:`accept_key_statements`):
each must be signed by the key they hold as current, so rotations chain and a key already
rotated away from cannot bring in another. What an old key signed before its overlap ended
still verifies afterwards (``Partner.retired``), so old envelopes, heads and proofs stay good.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import Connection, insert, select, update

from borderlink.errors import IntegrityFailure
from borderlink.exchange.envelope import KeyRotation, key_statement, open_key_statement
from borderlink.exchange.identity import (
    NodeIdentity,
    Partner,
    b64url_decode,
    public_key_text,
    write_key,
)
from borderlink.services.accounts.access import Permission, Principal, require
from borderlink.services.accounts.audit import record as audit
from borderlink.services.cooperation.partners import get_partner, node_identity
from borderlink.services.node import Node
from borderlink.store.cooperation_tables import partners
from borderlink.store.exchange_tables import node_keys

DEFAULT_OVERLAP = dt.timedelta(days=7)
SYNC = Principal.system("sync")  # applies partners' statements during a sync


@dataclass(frozen=True)
class Rotation:
    identity: NodeIdentity  # the node with its new key
    previous_key: str
    overlap_until: dt.datetime
    statement: str


def rotate_key(
    node: Node,
    principal: Principal,
    *,
    overlap: dt.timedelta = DEFAULT_OVERLAP,
    reason: str | None = None,
) -> Rotation:
    """Replace the node's signing key; the old one stays accepted for ``overlap``."""
    require(principal, Permission.PARTNERS_MANAGE)
    old = node_identity(node)
    new_key = Ed25519PrivateKey.generate()
    new_public = public_key_text(new_key.public_key())
    now = dt.datetime.now(dt.UTC)
    token = key_statement(old, new_public, now=now, overlap=overlap)
    rotation = open_key_statement(
        token, Partner(old.node_id, old.name, old.public_key, "")
    )  # the statement as partners will read it (overlap bounded)
    with node.transaction() as conn:
        _record(conn, rotation)
        audit(
            conn,
            actor=principal.username,
            action="node.rotate_key",
            object_type="node",
            object_id=old.node_id,
            reason=reason,
            details={"previous_key": old.public_key, "public_key": new_public},
        )
    # Last, once the history is committed: from here on the node signs with the new key.
    write_key(node.settings.node_key_path, new_key)
    identity = NodeIdentity(old.node_id, old.name, new_key)
    return Rotation(identity, old.public_key, rotation.overlap_until, token)


def _record(conn: Connection, rotation: KeyRotation) -> None:
    """Keep both keys of a rotation in the history: the old until the overlap ends."""
    now = dt.datetime.now(dt.UTC)
    k = node_keys.c
    held = conn.execute(
        select(k.public_key).where(
            k.node_id == rotation.node_id,
            k.public_key.in_([rotation.previous_key, rotation.public_key]),
        )
    ).scalars()
    known = set(held)
    if rotation.previous_key in known:
        conn.execute(
            update(node_keys)
            .where(k.node_id == rotation.node_id, k.public_key == rotation.previous_key)
            .values(valid_until=rotation.overlap_until)
        )
    else:
        conn.execute(
            insert(node_keys).values(
                node_id=rotation.node_id,
                public_key=rotation.previous_key,
                valid_until=rotation.overlap_until,
                added_at=now,
            )
        )
    if rotation.public_key not in known:
        conn.execute(
            insert(node_keys).values(
                node_id=rotation.node_id,
                public_key=rotation.public_key,
                valid_from=rotation.issued_at,
                statement=rotation.token,
                added_at=now,
            )
        )


@dataclass(frozen=True)
class KeyRecord:
    """One key a node signed with, and when it is accepted."""

    node_id: str
    public_key: str
    valid_from: dt.datetime | None  # None: since the node was registered
    valid_until: dt.datetime | None  # None: current; else the end of its overlap
    rotated: bool  # brought in by a signed rotation statement


def key_history(node: Node, principal: Principal, node_id: str | None = None) -> list[KeyRecord]:
    """The keys ``node_id`` (default: this node) signed with, oldest first, the current last.

    A node that never rotated has no history rows: its one key is reported as current.
    """
    require(principal, Permission.PARTNERS_MANAGE)
    node_id = node_id or node.settings.node_id
    k = node_keys.c
    with node.read() as conn:
        rows = conn.execute(
            select(k.public_key, k.valid_from, k.valid_until, k.statement).where(
                k.node_id == node_id
            )
        ).all()
    current = (
        node_identity(node).public_key
        if node_id == node.settings.node_id
        else get_partner(node, node_id).public_key
    )
    found = [
        KeyRecord(node_id, r.public_key, _utc(r.valid_from), _utc(r.valid_until), bool(r.statement))
        for r in rows
    ]
    if current not in {f.public_key for f in found}:
        found.append(KeyRecord(node_id, current, None, None, rotated=False))
    # Oldest first: by when each stopped being accepted, the current one (no end) last.
    far = dt.datetime.max.replace(tzinfo=dt.UTC)
    return sorted(found, key=lambda f: (f.valid_until or far, f.valid_from or far.min))


def _utc(value: dt.datetime | None) -> dt.datetime | None:
    """SQLite hands back naive datetimes, in UTC as written."""
    if value is None or value.tzinfo:
        return value
    return value.replace(tzinfo=dt.UTC)


def key_statements(node: Node) -> list[str]:
    """This node's rotation statements, oldest first (what partners fetch and apply)."""
    k = node_keys.c
    with node.read() as conn:
        rows = conn.execute(
            select(k.statement)
            .where(k.node_id == node.settings.node_id, k.statement.is_not(None))
            .order_by(k.valid_from)
        ).scalars()
        return [str(s) for s in rows]


def accept_key_statements(
    node: Node, partner_id: str, statements: Sequence[str], *, principal: Principal = SYNC
) -> Partner:
    """Apply a partner's rotation statements not yet applied, in order; the partner after."""
    require(principal, Permission.PARTNERS_MANAGE)
    partner = get_partner(node, partner_id)
    known = {partner.public_key, *(k.public_key for k in partner.retired)}
    for token in statements:
        if _introduces(token) in known:
            continue  # applied before: its key is already held
        rotation = open_key_statement(token, partner)
        if rotation.node_id != partner_id:
            raise IntegrityFailure(f"key statement of {rotation.node_id}, not {partner_id}")
        with node.transaction() as conn:
            _record(conn, rotation)
            conn.execute(
                update(partners)
                .where(partners.c.partner_id == partner_id)
                .values(public_key=rotation.public_key)
            )
            audit(
                conn,
                actor=principal.username,
                action="partner.key_rotated",
                object_type="partner",
                object_id=partner_id,
                details={"previous_key": rotation.previous_key, "public_key": rotation.public_key},
            )
        partner = get_partner(node, partner_id)
        known.add(rotation.public_key)
    return partner


def _introduces(token: str) -> str | None:
    """The key a statement names, read before checking it (only to skip those applied)."""
    try:
        payload = json.loads(b64url_decode(token.split(".")[1]))
    except (ValueError, IndexError, IntegrityFailure):
        return None
    key = payload.get("public_key") if isinstance(payload, dict) else None
    return key if isinstance(key, str) else None
