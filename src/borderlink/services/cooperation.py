"""Use cases of cooperation: issue alerts and seizures, release them to partners, receive theirs.

Issuing a record stores it, passes it through the release policy once per partner, signs each
partner's copy separately, logs every copy in the verifiable log and the audit log (with what was
removed and why) — all in one transaction — then tells the partners that got something (a signed
notice; a partner that does not hear it still gets the copy at its next poll). Receiving runs the
same policy from the sender's side: an envelope is accepted only if it is signed by a known
partner, addressed here, not seen before, newer than what is held, and exactly what an agreement
in force lets that partner send.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx
from sqlalchemy import Connection, insert, select, update

from borderlink.cooperation.alerts import alert_from_seizure, partner_alert
from borderlink.cooperation.policy import Denial, release
from borderlink.errors import BorderLinkError, Conflict, NotFound, PolicyDenied, ReplayDetected
from borderlink.exchange.client import PartnerClient, notice
from borderlink.exchange.envelope import Envelope, digest, open_envelope, seal
from borderlink.exchange.identity import NodeIdentity, Partner
from borderlink.exchange.stix import from_stix, new_record_id, parse_timestamp, timestamp, to_stix
from borderlink.model.cooperation import Agreement, Alert, PartnerAlert, Route, Seizure
from borderlink.services.agreements import load_agreements
from borderlink.services.audit import record as audit
from borderlink.services.exchange_log import append, exclusive
from borderlink.services.node import Node
from borderlink.services.partners import list_partners, node_identity
from borderlink.store.cooperation_tables import (
    coop_records,
    partner_alerts,
    partners,
    received,
    released,
)

TransportFor = Callable[[Partner], httpx.BaseTransport | None]
DEFAULT_PURPOSE = "risk-management"


@dataclass
class IssueResult:
    """What happened to one issued record: who got a copy, who did not and why."""

    record_id: str
    released_to: list[str] = field(default_factory=list)
    denied: dict[str, str] = field(default_factory=dict)
    notified: list[str] = field(default_factory=list)
    notice_failures: dict[str, str] = field(default_factory=dict)
    latest: dict[str, int] = field(default_factory=dict)


def record_seizure(
    node: Node,
    seizure: Seizure,
    *,
    alert_days: int | None = 90,
    purpose: str = DEFAULT_PURPOSE,
    actor: str = "cli",
    notify: bool = True,
    transport_for: TransportFor | None = None,
) -> list[IssueResult]:
    """Record a seizure made here and release it; with ``alert_days``, also the alert it implies."""
    records: list[Alert | Seizure] = [seizure]
    if alert_days:
        records.append(
            alert_from_seizure(seizure, alert_id=new_record_id("alert"), valid_days=alert_days)
        )
    return [
        issue(node, r, purpose=purpose, actor=actor, notify=notify, transport_for=transport_for)
        for r in records
    ]


def issue(
    node: Node,
    record: Alert | Seizure,
    *,
    purpose: str = DEFAULT_PURPOSE,
    actor: str = "cli",
    notify: bool = True,
    transport_for: TransportFor | None = None,
) -> IssueResult:
    """Store a record issued by this node (or a newer version of one) and release it."""
    identity = node_identity(node)
    if record.issuer != identity.node_id:
        raise PolicyDenied(f"this node issues records as {identity.node_id}, not {record.issuer}")
    now = dt.datetime.now(dt.UTC)
    result = IssueResult(record.id)
    with exclusive(node) as conn:
        _store_record(conn, record, to_stix(record), received_from=None)
        audit(
            conn,
            actor=actor,
            action="revoke" if record.revoked else f"{record.kind}.record",
            object_type=record.kind,
            object_id=record.id,
            details={"version": timestamp(record.modified), "purpose": purpose},
        )
        entries = _release_all(conn, identity, record, purpose, now, actor, result)
        append(conn, entries)
    if notify and node.settings.exchange_notify:
        _notify(node, identity, result, transport_for)
    return result


def revoke(
    node: Node,
    record_id: str,
    *,
    reason: str,
    actor: str = "cli",
    notify: bool = True,
    transport_for: TransportFor | None = None,
) -> IssueResult:
    """Withdraw a record issued here: a signed tombstone (a revoked new version) goes out."""
    current = get_record(node, record_id)
    if current.revoked:
        raise Conflict(f"{record_id} is already revoked")
    tombstone = current.model_copy(update={"revoked": True, "modified": dt.datetime.now(dt.UTC)})
    with node.engine.begin() as conn:
        audit(conn, actor=actor, action="revoke.request", object_id=record_id, reason=reason)
    return issue(node, tombstone, actor=actor, notify=notify, transport_for=transport_for)


def _release_all(
    conn: Connection,
    identity: NodeIdentity,
    record: Alert | Seizure,
    purpose: str,
    now: dt.datetime,
    actor: str,
    result: IssueResult,
) -> list[dict[str, Any]]:
    agreements = load_agreements(conn)
    entries: list[dict[str, Any]] = []
    for partner in _partners(conn):
        outcome = release(record, partner.partner_id, purpose, agreements, now, me=identity.node_id)
        if isinstance(outcome, Denial):
            result.denied[partner.partner_id] = outcome.detail
            audit(
                conn,
                actor=actor,
                action="release.denied",
                object_type=record.kind,
                object_id=record.id,
                reason=outcome.detail,
                details={"partner": partner.partner_id, "code": outcome.code},
            )
            continue
        removed = tuple(r.field for r in outcome.removed)
        stix = to_stix(outcome.record, agreement_id=outcome.agreement_id, redacted=removed)
        token = seal(
            identity,
            recipient=partner.partner_id,
            agreement_id=outcome.agreement_id,
            purpose=purpose,
            stix_object=stix,
            now=now,
        )
        seq = conn.execute(
            insert(released)
            .values(
                partner_id=partner.partner_id,
                record_id=record.id,
                version=stix["modified"],
                agreement_id=outcome.agreement_id,
                envelope=token,
                stix=stix,
                removed=[{"field": r.field, "reason": r.reason} for r in outcome.removed],
                added_at=now,
            )
            .returning(released.c.seq)
        ).scalar_one()
        audit(
            conn,
            actor=actor,
            action="release",
            object_type=record.kind,
            object_id=record.id,
            reason=f"agreement {outcome.agreement_id}, purpose {purpose}",
            details=outcome.details(),
        )
        entries.append(_entry("revoked" if record.revoked else "sent", stix, partner, token))
        result.released_to.append(partner.partner_id)
        result.latest[partner.partner_id] = seq
    return entries


def _entry(kind: str, stix: Mapping[str, Any], peer: Partner | str, token: str) -> dict[str, Any]:
    return {
        "kind": kind,
        "record_id": stix["id"],
        "version": stix["modified"],
        "peer": peer.partner_id if isinstance(peer, Partner) else peer,
        "digest": digest(token),
    }


def _notify(
    node: Node, identity: NodeIdentity, result: IssueResult, transport_for: TransportFor | None
) -> None:
    partners = {p.partner_id: p for p in list_partners(node)}
    for partner_id, latest in result.latest.items():
        partner = partners[partner_id]
        token = notice(identity, partner_id, latest, dt.datetime.now(dt.UTC))
        try:
            with PartnerClient(
                identity,
                partner,
                transport=transport_for(partner) if transport_for else None,
                timeout=node.settings.exchange_timeout_s,
            ) as client:
                client.notify(token)
            result.notified.append(partner_id)
        except BorderLinkError as error:  # the partner's next poll still gets the copy
            result.notice_failures[partner_id] = error.detail


def _partners(conn: Connection) -> list[Partner]:
    rows = conn.execute(select(partners).order_by(partners.c.partner_id)).all()
    return [Partner(r.partner_id, r.name, r.public_key, r.base_url) for r in rows]


def _store_record(
    conn: Connection,
    record: Alert | Seizure,
    stix: dict[str, Any],
    *,
    received_from: str | None,
) -> None:
    """Insert or replace with a strictly newer version (:class:`ReplayDetected` otherwise)."""
    row = conn.execute(
        select(coop_records.c.document).where(coop_records.c.record_id == record.id)
    ).first()
    now = dt.datetime.now(dt.UTC)
    values = {
        "kind": record.kind,
        "issuer": record.issuer,
        "modified": record.modified,
        "document": stix,
        "received_from": received_from,
        "stored_at": now,
    }
    if row is None:
        conn.execute(insert(coop_records).values(record_id=record.id, **values))
        return
    held = parse_timestamp(row.document["modified"])
    if held >= record.modified:
        raise ReplayDetected(
            f"{record.id}: version {timestamp(record.modified)} is not newer than the one held "
            f"({timestamp(held)})"
        )
    conn.execute(update(coop_records).where(coop_records.c.record_id == record.id).values(values))


# --- receiving ------------------------------------------------------------------------------


@dataclass
class ReceiveSummary:
    accepted: int = 0
    duplicates: int = 0
    rejected: dict[str, str] = field(default_factory=dict)  # envelope digest -> reason


def receive(node: Node, token: str, *, actor: str = "exchange") -> Envelope:
    """Accept one envelope pushed or handed over; raise why it is refused."""
    identity = node_identity(node)
    now = dt.datetime.now(dt.UTC)
    try:
        with exclusive(node) as conn:
            env, entry = _receive_one(conn, node, identity.node_id, token, now)
            append(conn, [entry])
            audit(
                conn,
                actor=actor,
                action="exchange.receive",
                object_id=env.record_id,
                details={"sender": env.sender, "digest": env.digest},
            )
    except BorderLinkError as error:
        with node.engine.begin() as conn:
            _audit_reject(conn, actor, token, error)
        raise
    return env


def receive_all(
    conn: Connection, node: Node, me: str, tokens: Iterable[str], *, actor: str
) -> ReceiveSummary:
    """Accept a page of envelopes in the caller's exclusive transaction; refusals are recorded."""
    now = dt.datetime.now(dt.UTC)
    summary = ReceiveSummary()
    entries = []
    for token in tokens:
        try:
            _env, entry = _receive_one(conn, node, me, token, now)
        except ReplayDetected as error:
            if _already_have(conn, token):
                summary.duplicates += 1
                continue
            summary.rejected[digest(token)] = error.detail
            _audit_reject(conn, actor, token, error)
            continue
        except BorderLinkError as error:
            summary.rejected[digest(token)] = error.detail
            _audit_reject(conn, actor, token, error)
            continue
        entries.append(entry)
        summary.accepted += 1
    append(conn, entries)
    if entries:
        audit(
            conn,
            actor=actor,
            action="exchange.receive",
            details={"accepted": summary.accepted, "duplicates": summary.duplicates},
        )
    return summary


def _already_have(conn: Connection, token: str) -> bool:
    return (
        conn.execute(select(received.c.nonce).where(received.c.digest == digest(token))).first()
        is not None
    )


def _audit_reject(conn: Connection, actor: str, token: str, error: BorderLinkError) -> None:
    audit(
        conn,
        actor=actor,
        action="exchange.reject",
        reason=error.detail,
        details={"code": error.code, "digest": digest(token), "envelope": token},
    )


def _receive_one(
    conn: Connection, node: Node, me: str, token: str, now: dt.datetime
) -> tuple[Envelope, dict[str, Any]]:
    partners = {p.partner_id: p for p in _partners(conn)}
    skew = dt.timedelta(seconds=node.settings.exchange_clock_skew_s)
    env = open_envelope(token, partners, me=me, now=now, skew=skew)
    seen = conn.execute(
        select(received.c.received_at).where(
            received.c.sender_id == env.sender, received.c.nonce == env.nonce
        )
    ).first()
    if seen is not None:
        raise ReplayDetected(f"envelope {env.nonce} from {env.sender} was already received")
    record = from_stix(env.object)
    if record.issuer != env.sender:
        raise PolicyDenied(
            f"{env.sender} relays a record issued by {record.issuer}: onward sharing not accepted"
        )
    _check_agreement(record, env, load_agreements(conn), me, now)
    _store_record(conn, record, env.object, received_from=env.sender)
    conn.execute(
        insert(received).values(
            sender_id=env.sender,
            nonce=env.nonce,
            record_id=env.record_id,
            version=env.version,
            digest=env.digest,
            received_at=now,
        )
    )
    if isinstance(record, Alert):
        _store_partner_alert(conn, partner_alert(record, env.sender), now)
    kind = "revoked" if record.revoked else "received"
    return env, _entry(kind, env.object, env.sender, token)


def _check_agreement(
    record: Alert | Seizure, env: Envelope, agreements: list[Agreement], me: str, now: dt.datetime
) -> None:
    named = [a for a in agreements if a.agreement_id == env.agreement_id]
    if not named:
        raise PolicyDenied(f"{env.sender} sent under unknown agreement {env.agreement_id!r}")
    check = release(record, me, env.purpose, named, now, me=env.sender)
    if isinstance(check, Denial):
        raise PolicyDenied(f"not accepted from {env.sender}: {check.detail}")
    if check.removed:
        fields = ", ".join(r.field for r in check.removed)
        raise PolicyDenied(
            f"{env.sender} sent fields agreement {env.agreement_id} excludes: {fields}"
        )


def _store_partner_alert(conn: Connection, alert: PartnerAlert, now: dt.datetime) -> None:
    values = {
        "partner_id": alert.partner_id,
        "title": alert.title,
        "valid_from": alert.valid_from,
        "valid_until": alert.valid_until,
        "trader_ids": list(alert.trader_ids),
        "hs_codes": list(alert.hs_codes),
        "origins": list(alert.origins),
        "route": alert.route.model_dump(mode="json"),
        "active": alert.active,
        "received_at": now,
    }
    exists = conn.execute(
        select(partner_alerts.c.alert_id).where(partner_alerts.c.alert_id == alert.alert_id)
    ).first()
    if exists is None:
        conn.execute(insert(partner_alerts).values(alert_id=alert.alert_id, **values))
    else:
        conn.execute(
            update(partner_alerts).where(partner_alerts.c.alert_id == alert.alert_id).values(values)
        )


# --- reading --------------------------------------------------------------------------------


def active_alerts(node: Node, on_date: dt.date) -> list[PartnerAlert]:
    """Partners' alerts in force on ``on_date`` (not revoked, within validity)."""
    with node.engine.connect() as conn:
        rows = conn.execute(
            select(partner_alerts)
            .where(
                partner_alerts.c.active.is_(True),
                partner_alerts.c.valid_from <= on_date,
                partner_alerts.c.valid_until >= on_date,
            )
            .order_by(partner_alerts.c.alert_id)
        ).all()
    return [
        PartnerAlert(
            alert_id=r.alert_id,
            partner_id=r.partner_id,
            title=r.title,
            valid_from=r.valid_from,
            valid_until=r.valid_until,
            trader_ids=tuple(r.trader_ids),
            hs_codes=tuple(r.hs_codes),
            origins=tuple(r.origins),
            route=Route.model_validate(r.route),
            active=r.active,
        )
        for r in rows
    ]


def get_record(node: Node, record_id: str) -> Alert | Seizure:
    with node.engine.connect() as conn:
        row = conn.execute(
            select(coop_records.c.document).where(coop_records.c.record_id == record_id)
        ).first()
    if row is None:
        raise NotFound(f"no record {record_id!r}", field="record_id")
    return from_stix(row.document)


def held_objects(node: Node) -> list[dict[str, Any]]:
    """Every record this node holds, as the STIX object it holds (redactions visible)."""
    with node.engine.connect() as conn:
        rows = conn.execute(select(coop_records.c.document).order_by(coop_records.c.record_id))
        return [dict(r.document) for r in rows]
