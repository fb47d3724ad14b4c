"""Use cases about agreements: register one (as a draft), walk its lifecycle, read them, and
make sure both parties hold the same one.

Each party signs its copy of an agreement (its terms hash, with the terms) when it signs the
agreement; the liaison officers exchange the signed copies (:func:`signed_copy` gives this
node's, :func:`accept_copy` takes the partner's). Nothing flows under an agreement to or from a
partner until the partner's signed copy has the same terms hash as this node's
(:func:`confirmed_parties`); :func:`copy_checks` shows, per agreement and partner, whether the
copies match, differ or one is missing.

All of them need ``agreements:manage``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Connection, delete, insert, select, update

from borderlink.cooperation.agreements import TRANSITIONS, parse_agreement, terms_hash, transition
from borderlink.errors import Conflict, IntegrityFailure, InvalidInput, NotFound
from borderlink.exchange.envelope import sign, verify
from borderlink.exchange.identity import NodeIdentity, Partner
from borderlink.exchange.stix import timestamp
from borderlink.model.cooperation import Agreement, AgreementState
from borderlink.services.accounts.access import Permission, Principal, require
from borderlink.services.accounts.audit import record as audit
from borderlink.services.cooperation.partners import node_identity
from borderlink.services.cooperation.retention import RETENTION, purge_expired
from borderlink.services.node import Node
from borderlink.store.cooperation_tables import agreement_copies, agreements, partners

AGREEMENT_COPY = "borderlink-agreement+jws"  # a party's signed copy of an agreement


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
    if moved.state == AgreementState.EXPIRED:
        # What partners sent under it goes now, unless the agreement keeps it for a while
        # (``retain_after_end_days``; `records purge` withdraws it then).
        purge_expired(node, principal=RETENTION)
    return moved


def next_states(agreement: Agreement) -> list[AgreementState]:
    """The states the lifecycle lets ``agreement`` move to, in lifecycle order (none once
    expired), so that a page offers only moves that can succeed."""
    allowed = TRANSITIONS[agreement.state]
    return [state for state in AgreementState if state in allowed]


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


# --- both parties' copies ---------------------------------------------------------------------


@dataclass(frozen=True)
class CopyCheck:
    """This node's terms hash of an agreement against one partner's signed copy."""

    agreement_id: str
    partner_id: str
    ours: str
    theirs: str | None  # None: the partner's signed copy was not received

    @property
    def status(self) -> str:
        if self.theirs is None:
            return "missing"
        return "confirmed" if self.theirs == self.ours else "mismatch"

    @property
    def detail(self) -> str:
        if self.status == "confirmed":
            return f"{self.partner_id} holds the same terms of {self.agreement_id}"
        if self.status == "missing":
            return f"{self.partner_id}'s signed copy of {self.agreement_id} was not received"
        return (
            f"{self.partner_id}'s copy of {self.agreement_id} has other terms "
            f"(hash {self.theirs[:12] if self.theirs else ''}…, ours {self.ours[:12]}…)"
        )


def sign_copy(identity: NodeIdentity, agreement: Agreement) -> str:
    """``identity``'s signed copy of ``agreement``: its terms (without the state) and their hash."""
    terms = agreement.as_document()
    terms.pop("state", None)
    payload = {
        "sender": identity.node_id,
        "agreement_id": agreement.agreement_id,
        "terms_hash": terms_hash(agreement),
        "terms": terms,
        "signed_at": timestamp(dt.datetime.now(dt.UTC)),
    }
    return sign(identity, payload, typ=AGREEMENT_COPY)


def _store_copy(conn: Connection, node: Node, agreement: Agreement, token: str) -> None:
    _put_copy(conn, agreement.agreement_id, node.settings.node_id, terms_hash(agreement), token)


def _put_copy(conn: Connection, agreement_id: str, node_id: str, digest: str, token: str) -> None:
    conn.execute(
        delete(agreement_copies).where(
            agreement_copies.c.agreement_id == agreement_id,
            agreement_copies.c.node_id == node_id,
        )
    )
    conn.execute(
        insert(agreement_copies).values(
            agreement_id=agreement_id,
            node_id=node_id,
            terms_hash=digest,
            token=token,
            stored_at=dt.datetime.now(dt.UTC),
        )
    )


def signed_copy(node: Node, principal: Principal, agreement_id: str) -> str:
    """This node's signed copy of an agreement, for the partner (signed now if not yet)."""
    require(principal, Permission.AGREEMENTS_MANAGE)
    with node.transaction() as conn:
        current = _get(conn, agreement_id)
        row = conn.execute(
            select(agreement_copies.c.token, agreement_copies.c.terms_hash).where(
                agreement_copies.c.agreement_id == agreement_id,
                agreement_copies.c.node_id == node.settings.node_id,
            )
        ).first()
        if row is not None and row.terms_hash == terms_hash(current):
            return str(row.token)
        token = sign_copy(node_identity(node), current)
        _store_copy(conn, node, current, token)
        return token


def accept_copy(
    node: Node, principal: Principal, token: str, *, reason: str | None = None
) -> CopyCheck:
    """Take a partner's signed copy of an agreement this node holds, and compare the terms.

    A copy that differs is kept all the same (so the difference shows), and nothing flows
    under the agreement with that partner until matching copies are exchanged.
    """
    require(principal, Permission.AGREEMENTS_MANAGE)
    with node.transaction() as conn:
        known = {
            r.partner_id: Partner(r.partner_id, r.name, r.public_key, r.base_url)
            for r in conn.execute(select(partners))
        }
        payload = verify(token.strip(), known, typ=AGREEMENT_COPY).payload
        sender = str(payload["sender"])
        agreement_id = str(payload.get("agreement_id"))
        theirs = payload.get("terms_hash")
        if not isinstance(theirs, str) or not isinstance(payload.get("terms"), dict):
            raise IntegrityFailure("agreement copy without its terms and their hash")
        current = _get(conn, agreement_id)
        if sender not in current.parties:
            raise InvalidInput(f"{sender} is not a party to {agreement_id}", field="token")
        # The hash is worked out again from the terms the partner signed, not taken on trust.
        signed_terms = {**payload["terms"], "state": AgreementState.DRAFT.value}
        if terms_hash(parse_agreement(signed_terms)) != theirs:
            raise IntegrityFailure(f"{sender}'s copy of {agreement_id}: hash and terms disagree")
        _put_copy(conn, agreement_id, sender, theirs, token.strip())
        check = CopyCheck(agreement_id, sender, terms_hash(current), theirs)
        audit(
            conn,
            actor=principal.username,
            action="agreement.copy",
            object_type="agreement",
            object_id=agreement_id,
            reason=reason,
            details={"partner": sender, "status": check.status, "terms_hash": theirs},
        )
    return check


def copy_checks(node: Node, principal: Principal) -> list[CopyCheck]:
    """For every agreement and every other party: do both sides hold the same terms?"""
    require(principal, Permission.AGREEMENTS_MANAGE)
    with node.read() as conn:
        return checks(conn, node.settings.node_id)


def checks(conn: Connection, me: str) -> list[CopyCheck]:
    held = {
        (r.agreement_id, r.node_id): r.terms_hash
        for r in conn.execute(
            select(
                agreement_copies.c.agreement_id,
                agreement_copies.c.node_id,
                agreement_copies.c.terms_hash,
            )
        )
    }
    found = []
    for agreement in load_agreements(conn):
        ours = terms_hash(agreement)
        for party in agreement.other_party(me):
            found.append(
                CopyCheck(
                    agreement.agreement_id, party, ours, held.get((agreement.agreement_id, party))
                )
            )
    return found


def confirmed_parties(conn: Connection, me: str) -> dict[str, set[str]]:
    """Agreement id → the partners whose signed copy has the same terms as this node's."""
    confirmed: dict[str, set[str]] = {}
    for check in checks(conn, me):
        if check.status == "confirmed":
            confirmed.setdefault(check.agreement_id, set()).add(check.partner_id)
    return confirmed
