"""A partner's read-only TAXII credentials, for the standard tools it runs (MISP, OpenCTI).

Such tools cannot sign requests, so a liaison officer (``partners:manage``) gives the partner a
username and password (HTTP Basic). They open the TAXII reads only, as that partner: the same
collections and the same released copies its signed requests get, nothing more; node-to-node
calls (notices, the log, key statements) still need the node's signature. The password is shown
once, stored as an argon2 hash; creating new credentials revokes the partner's earlier ones.
Every creation and revocation is audited.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection, insert, select, update

from borderlink.errors import NotAuthenticated, NotFound
from borderlink.exchange.identity import Partner
from borderlink.services.accounts._common import hash_password, hasher
from borderlink.services.accounts.access import Permission, Principal, require
from borderlink.services.accounts.audit import record as audit
from borderlink.services.cooperation.partners import get_partner
from borderlink.services.node import Node
from borderlink.store.exchange_tables import taxii_credentials

PREFIX = "taxii-"


@dataclass(frozen=True)
class Credentials:
    username: str
    password: str  # only when created: it is never stored, nor shown again


@dataclass(frozen=True)
class CredentialView:
    username: str
    partner_id: str
    created_at: dt.datetime
    created_by: str
    revoked_at: dt.datetime | None


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    return value.replace(tzinfo=dt.UTC) if value and not value.tzinfo else value


def create_credentials(node: Node, principal: Principal, partner_id: str) -> Credentials:
    """New read-only TAXII credentials for ``partner_id`` (its earlier ones end)."""
    require(principal, Permission.PARTNERS_MANAGE)
    get_partner(node, partner_id)  # NotFound for a partner not registered
    made = Credentials(f"{PREFIX}{partner_id}-{secrets.token_hex(4)}", secrets.token_urlsafe(24))
    now = dt.datetime.now(dt.UTC)
    with node.transaction() as conn:
        ended = _revoke_all(conn, partner_id, now)
        conn.execute(
            insert(taxii_credentials).values(
                username=made.username,
                partner_id=partner_id,
                secret_hash=hash_password(node, made.password),
                created_at=now,
                created_by=principal.username,
            )
        )
        audit(
            conn,
            actor=principal.username,
            action="taxii_credentials.create",
            object_type="partner",
            object_id=partner_id,
            details={"username": made.username, "replaced": ended},
        )
    return made


def _revoke_all(conn: Connection, partner_id: str, now: dt.datetime) -> list[str]:
    live = (taxii_credentials.c.partner_id == partner_id) & taxii_credentials.c.revoked_at.is_(None)
    names = [r.username for r in conn.execute(select(taxii_credentials.c.username).where(live))]
    if names:
        conn.execute(update(taxii_credentials).where(live).values(revoked_at=now))
    return names


def revoke_credentials(node: Node, principal: Principal, partner_id: str) -> list[str]:
    """End ``partner_id``'s TAXII credentials; the usernames ended (NotFound if none was live)."""
    require(principal, Permission.PARTNERS_MANAGE)
    with node.transaction() as conn:
        ended = _revoke_all(conn, partner_id, dt.datetime.now(dt.UTC))
        if not ended:
            raise NotFound(f"partner {partner_id} has no TAXII credentials in use", field="partner")
        audit(
            conn,
            actor=principal.username,
            action="taxii_credentials.revoke",
            object_type="partner",
            object_id=partner_id,
            details={"usernames": ended},
        )
    return ended


def list_credentials(node: Node, principal: Principal) -> list[CredentialView]:
    require(principal, Permission.PARTNERS_MANAGE)
    with node.read() as conn:
        rows = conn.execute(select(taxii_credentials).order_by(taxii_credentials.c.created_at))
        return [
            CredentialView(
                r.username,
                r.partner_id,
                _aware(r.created_at) or r.created_at,
                r.created_by,
                _aware(r.revoked_at),
            )
            for r in rows
        ]


def reader(node: Node, username: str, password: str) -> Partner:
    """The partner whose live TAXII credentials these are; :class:`NotAuthenticated` if none."""
    with node.read() as conn:
        row = conn.execute(
            select(taxii_credentials).where(
                taxii_credentials.c.username == username,
                taxii_credentials.c.revoked_at.is_(None),
            )
        ).first()
    argon = hasher(node.settings.password_hashing)
    good: bool = False
    if row is None:
        argon.hash(password)  # an unknown name costs a hash too: no timing oracle for names
    else:
        try:
            good = bool(argon.verify(row.secret_hash, password))
        except (VerificationError, InvalidHashError):
            good = False
    if row is None or not good:
        raise NotAuthenticated("unknown or revoked TAXII credentials")
    return get_partner(node, row.partner_id)
