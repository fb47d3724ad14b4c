"""Standard operating procedures: an agency publishes its own, everyone at the post reads them.

An agency officer publishes their agency's SOPs only (an administrator any agency's); anyone who
reads referrals reads every SOP: they are procedures, not case data. Each publication of a new
text is the next version; every version is kept and can be read.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, and_, func, insert, select

from borderlink.coordination.sops import Sop as Sop  # for the shells
from borderlink.coordination.sops import SopDraft as SopDraft
from borderlink.coordination.sops import applicable, next_version
from borderlink.errors import NotFound, PermissionDenied
from borderlink.services.accounts import audit
from borderlink.services.accounts.access import Permission, Principal, agency_scope, require
from borderlink.services.node import Node
from borderlink.store.coordination_tables import sops


def _sop(row: Any) -> Sop:
    at = row.published_at if row.published_at.tzinfo else row.published_at.replace(tzinfo=dt.UTC)
    return Sop(
        agency=row.agency,
        referral_type=row.referral_type,
        title=row.title,
        body=row.body,
        version=row.version,
        published_by=row.published_by,
        published_at=at,
    )


def _in_force(conn: Connection) -> list[Sop]:
    newest = (
        select(sops.c.agency, sops.c.referral_type, func.max(sops.c.version).label("v"))
        .group_by(sops.c.agency, sops.c.referral_type)
        .subquery()
    )
    query = (
        select(sops)
        .join(
            newest,
            and_(
                newest.c.agency == sops.c.agency,
                newest.c.referral_type == sops.c.referral_type,
                newest.c.v == sops.c.version,
            ),
        )
        .order_by(sops.c.agency, sops.c.referral_type)
    )
    return [_sop(r) for r in conn.execute(query)]


def publish(node: Node, principal: Principal, draft: SopDraft) -> tuple[Sop, bool]:
    """Publish an SOP: (the version in force, whether this made a new one)."""
    require(principal, Permission.SOPS_PUBLISH)
    scope = agency_scope(principal)
    if scope is not None and scope != draft.agency:
        raise PermissionDenied(
            f"an officer of {scope or 'no agency'} does not publish {draft.agency}'s procedures"
        )
    with node.transaction() as conn:
        latest = _latest(conn, draft.agency, draft.referral_type)
        version = next_version(latest, draft)
        if version is None and latest is not None:
            return latest, False
        now = dt.datetime.now(dt.UTC)
        conn.execute(
            insert(sops).values(
                **draft.model_dump(),
                version=version,
                published_by=principal.username,
                published_at=now,
            )
        )
        audit.record(
            conn,
            actor=principal.username,
            action="sop.publish",
            object_type="sop",
            object_id=f"{draft.agency}/{draft.referral_type}",
            reason=f"version {version}: {draft.title}",
            details={"version": version},
        )
        made = _latest(conn, draft.agency, draft.referral_type)
    assert made is not None  # inserted just above
    return made, True


def _latest(conn: Connection, agency: str, referral_type: str) -> Sop | None:
    row = conn.execute(
        select(sops)
        .where(sops.c.agency == agency, sops.c.referral_type == referral_type)
        .order_by(sops.c.version.desc())
        .limit(1)
    ).first()
    return None if row is None else _sop(row)


def list_sops(node: Node, principal: Principal) -> list[Sop]:
    """Every SOP in force (the newest version of each), by agency and referral type."""
    require(principal, Permission.REFERRALS_READ)
    with node.read() as conn:
        return _in_force(conn)


def get_sop(
    node: Node, principal: Principal, agency: str, referral_type: str, version: int | None = None
) -> tuple[Sop, list[int]]:
    """One SOP (the version in force, or the one asked for) and every version there is."""
    require(principal, Permission.REFERRALS_READ)
    where = and_(sops.c.agency == agency, sops.c.referral_type == referral_type)
    with node.read() as conn:
        versions = sorted(conn.execute(select(sops.c.version).where(where)).scalars())
        if not versions:
            raise NotFound(f"no SOP of {agency} for {referral_type}")
        wanted = version if version is not None else versions[-1]
        row = conn.execute(select(sops).where(where, sops.c.version == wanted)).first()
    if row is None:
        raise NotFound(f"the SOP of {agency} for {referral_type} has no version {wanted}")
    return _sop(row), versions


def for_agencies(
    node: Node, principal: Principal, agencies: Sequence[str], rules: Sequence[str] = ()
) -> list[Sop]:
    """The SOPs in force an officer should read for these agencies and matched rules."""
    require(principal, Permission.REFERRALS_READ)
    with node.read() as conn:
        return applicable(_in_force(conn), agencies, rules)
