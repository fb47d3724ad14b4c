"""Use cases of cooperation: issue alerts and seizures, release them to partners, receive theirs.

Issuing a record stores it, passes it through the release policy once per partner, signs each
partner's copy separately, logs every copy in the verifiable log and the audit log (with what was
removed and why) — all in one transaction — then tells the partners that got something (a signed
notice; a partner that does not hear it still gets the copy at its next poll). Receiving runs the
same policy from the sender's side: an envelope is accepted only if it is signed by a known
partner, addressed here, not seen before, newer than what is held, and exactly what an agreement
in force lets that partner send.

Issuing and revoking need ``sharing:outgoing``; :func:`issue_document` builds the record from
a document (a YAML/JSON mapping: what the CLI reads from a file) before issuing it. The reads
re-exported here (:func:`active_alerts`, :func:`get_record`, :func:`held_objects`, from
``record_reads``) serve screening and the exchange, not a person; the rows written in bulk are
built in ``record_rows``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx
from sqlalchemy import Connection, func, insert, select

from borderlink.cooperation.alerts import alert_from_seizure
from borderlink.cooperation.policy import Denial, Released, release
from borderlink.cooperation.records import new_record
from borderlink.errors import Conflict, PolicyDenied
from borderlink.exchange.envelope import seal
from borderlink.exchange.identity import NodeIdentity, Partner
from borderlink.exchange.stix import derived_record_id, timestamp, to_stix
from borderlink.model.cooperation import Agreement, CoopRecord, Seizure
from borderlink.services.accounts.access import Permission, Principal, require
from borderlink.services.accounts.audit import record as audit
from borderlink.services.cooperation.agreements import confirmed_parties, load_agreements
from borderlink.services.cooperation.assistance_cases import track as track_assistance
from borderlink.services.cooperation.partners import (
    node_identity,
)
from borderlink.services.cooperation.record_reads import (  # re-exported: callers read here
    get_record as get_record,
)
from borderlink.services.cooperation.record_reads import (
    held_objects as held_objects,
)
from borderlink.services.cooperation.record_reads import (
    held_versions as held_versions,
)
from borderlink.services.cooperation.record_reads import (
    load_partners as load_partners,
)
from borderlink.services.cooperation.record_reads import (
    sent_under as sent_under,
)
from borderlink.services.cooperation.record_rows import (  # re-exported: receiving writes these
    audit_row as audit_row,
)
from borderlink.services.cooperation.record_rows import (
    log_entry as log_entry,
)
from borderlink.services.cooperation.record_rows import (
    record_row as record_row,
)
from borderlink.services.cooperation.record_rows import (
    upsert as upsert,
)
from borderlink.services.exchange.added import stamp as stamp_added
from borderlink.services.exchange.log import append, exclusive
from borderlink.services.exchange.push import notify_partners
from borderlink.services.node import Node
from borderlink.services.screening.partner_alerts import (  # re-exported: readers use it here
    active_alerts as active_alerts,
)
from borderlink.store.cooperation_tables import (
    coop_records,
    released,
)
from borderlink.store.tables import audit_log

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


def issue_document(
    node: Node,
    principal: Principal,
    kind: str,
    document: Mapping[str, Any],
    *,
    purpose: str = DEFAULT_PURPOSE,
    alert_days: int | None = None,
) -> list[IssueResult]:
    """Issue a new record of ``kind`` (seizure, alert, aeo-status) from its document, as this
    node, now; a seizure with ``alert_days`` also issues the alert it implies."""
    record = new_record(
        kind, dict(document), issuer=node.settings.node_id, now=dt.datetime.now(dt.UTC)
    )
    if isinstance(record, Seizure):
        return record_seizure(node, principal, record, alert_days=alert_days, purpose=purpose)
    return [issue(node, principal, record, purpose=purpose)]


def record_seizure(
    node: Node,
    principal: Principal,
    seizure: Seizure,
    *,
    alert_days: int | None = 90,
    purpose: str = DEFAULT_PURPOSE,
    notify: bool = True,
    transport_for: TransportFor | None = None,
) -> list[IssueResult]:
    """Record a seizure made here and release it; with ``alert_days``, also the alert it implies."""
    records: list[CoopRecord] = [seizure]
    if alert_days:
        records.append(
            alert_from_seizure(
                seizure, alert_id=derived_record_id("alert", seizure.id), valid_days=alert_days
            )
        )
    return issue_all(
        node, principal, records, purpose=purpose, notify=notify, transport_for=transport_for
    )


def issue(
    node: Node,
    principal: Principal,
    record: CoopRecord,
    *,
    purpose: str = DEFAULT_PURPOSE,
    notify: bool = True,
    transport_for: TransportFor | None = None,
) -> IssueResult:
    """Store a record issued by this node (or a newer version of one) and release it."""
    return issue_all(
        node, principal, [record], purpose=purpose, notify=notify, transport_for=transport_for
    )[0]


# long: one transaction, its bulk writes side by side so their order reads as it runs
def issue_all(
    node: Node,
    principal: Principal,
    records: Sequence[CoopRecord],
    *,
    purpose: str = DEFAULT_PURPOSE,
    notify: bool = True,
    transport_for: TransportFor | None = None,
) -> list[IssueResult]:
    """Issue several records in one transaction; one notice per partner at the end."""
    require(principal, Permission.SHARING_OUTGOING)
    actor = principal.username
    identity = node_identity(node)
    now = dt.datetime.now(dt.UTC)
    for record in records:
        if record.issuer != identity.node_id:
            raise PolicyDenied(
                f"this node issues records as {identity.node_id}, not {record.issuer}"
            )
    results = [IssueResult(r.id) for r in records]
    with exclusive(node) as conn:
        held = held_versions(conn, [r.id for r in records])
        held_before = set(held)
        agreements = load_agreements(conn)
        confirmed = confirmed_parties(conn, identity.node_id)
        partners = load_partners(conn)
        sent = sent_under(conn, [r.id for r in records if r.revoked])
        stored: dict[str, dict[str, Any]] = {}
        audits: list[dict[str, Any]] = []
        copies: list[dict[str, Any]] = []
        entries: list[dict[str, Any]] = []
        for record, result in zip(records, results, strict=True):
            _newer(record, held)
            stored[record.id] = record_row(record, to_stix(record), received_from=None, now=now)
            audits.append(
                audit_row(
                    now,
                    actor,
                    "revoke" if record.revoked else f"{record.kind}.record",
                    record,
                    details={"version": timestamp(record.modified), "purpose": purpose},
                )
            )
            for partner in partners:
                _release_one(
                    identity,
                    record,
                    partner,
                    (purpose, sent.get((partner.partner_id, record.id))),
                    (agreements, confirmed),
                    now,
                    actor,
                    (result, audits, copies, entries),
                )
        upsert(conn, coop_records, "record_id", list(stored.values()), held_before)
        track_assistance(conn, records, me=identity.node_id, now=now)
        if copies:
            stamp_added(conn, copies)  # unique date_added per object of a collection (TAXII)
            conn.execute(insert(released), copies)
            _latest(conn, copies, results)
        conn.execute(insert(audit_log), audits)
        append(conn, entries)
    if notify and node.settings.exchange_notify:
        _notify(node, identity, results, transport_for)
    return results


def _newer(record: CoopRecord, held: dict[str, dt.datetime]) -> None:
    """Refuse a version not newer than the one held; count it as held from now on."""
    version = held.get(record.id)
    if version is not None and version >= record.modified:
        raise Conflict(
            f"{record.id}: version {timestamp(record.modified)} is not newer than the one held"
        )
    held[record.id] = record.modified


def _latest(conn: Connection, copies: list[dict[str, Any]], results: list[IssueResult]) -> None:
    """Each result's partners with the last sequence number of their collection now."""
    latest = dict(
        conn.execute(
            select(released.c.partner_id, func.max(released.c.seq))
            .where(released.c.partner_id.in_({c["partner_id"] for c in copies}))
            .group_by(released.c.partner_id)
        ).all()
    )
    for result in results:
        result.latest = {p: latest[p] for p in result.released_to}


def revoke(
    node: Node,
    principal: Principal,
    record_id: str,
    *,
    reason: str,
    notify: bool = True,
    transport_for: TransportFor | None = None,
) -> IssueResult:
    """Withdraw a record issued here: a signed tombstone (a revoked new version) goes out."""
    require(principal, Permission.SHARING_OUTGOING)
    current = get_record(node, record_id)
    if current.revoked:
        raise Conflict(f"{record_id} is already revoked")
    tombstone = current.model_copy(update={"revoked": True, "modified": dt.datetime.now(dt.UTC)})
    with node.transaction() as conn:
        audit(
            conn,
            actor=principal.username,
            action="revoke.request",
            object_id=record_id,
            reason=reason,
        )
    return issue(node, principal, tombstone, notify=notify, transport_for=transport_for)


# long: a copy and its three records (released row, audit, log leaf) built together
def _release_one(
    identity: NodeIdentity,
    record: CoopRecord,
    partner: Partner,
    why: tuple[str, str | None],  # the purpose, and the agreement of the partner's earlier copy
    terms: tuple[list[Agreement], dict[str, set[str]]],  # agreements, partners confirmed in each
    now: dt.datetime,
    actor: str,
    out: tuple[IssueResult, list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]],
) -> None:
    """The policy decides; a copy is signed for the partner, or the refusal is recorded."""
    result, audits, copies, entries = out
    purpose = why[0]
    outcome = _decide(identity.node_id, record, partner.partner_id, why, terms, now)
    if isinstance(outcome, Denial):
        result.denied[partner.partner_id] = outcome.detail
        audits.append(
            audit_row(
                now,
                actor,
                "release.denied",
                record,
                reason=outcome.detail,
                details={"partner": partner.partner_id, "code": outcome.code},
            )
        )
        return
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
    copies.append(
        {
            "partner_id": partner.partner_id,
            "record_id": record.id,
            "version": stix["modified"],
            "agreement_id": outcome.agreement_id,
            "envelope": token,
            "stix": stix,
            "removed": [{"field": r.field, "reason": r.reason} for r in outcome.removed],
            "added_at": now,
        }
    )
    audits.append(
        audit_row(
            now,
            actor,
            "release",
            record,
            reason=f"agreement {outcome.agreement_id}, purpose {purpose}",
            details=outcome.details(),
        )
    )
    entries.append(log_entry("revoked" if record.revoked else "sent", stix, partner, token))
    result.released_to.append(partner.partner_id)


def _decide(
    me: str,
    record: CoopRecord,
    pid: str,
    why: tuple[str, str | None],
    terms: tuple[list[Agreement], dict[str, set[str]]],
    now: dt.datetime,
) -> Released | Denial:
    """The policy, over the agreements whose copies match on both sides; a revocation of what
    the partner holds goes under the agreement it came under, whatever happened since."""
    purpose, earlier = why
    agreements, confirmed = terms
    usable = [a for a in agreements if pid in confirmed.get(a.agreement_id, ())]
    if record.revoked and earlier is not None:
        usable = agreements
    outcome = release(record, pid, purpose, usable, now, me=me, sent_under=earlier)
    waiting = [
        a.agreement_id for a in agreements if {me, pid} <= set(a.parties) and a not in usable
    ]
    if isinstance(outcome, Denial) and outcome.code in ("no_agreement", "not_in_force") and waiting:
        return Denial(
            "unconfirmed",
            f"{outcome.detail}; not usable until both copies match: {', '.join(waiting)}",
        )
    return outcome


def _notify(
    node: Node,
    identity: NodeIdentity,
    results: list[IssueResult],
    transport_for: TransportFor | None,
) -> None:
    latest: dict[str, int] = {}
    fresh: dict[str, int] = {}  # copies released to each partner now: the notice carries them
    for result in results:
        latest.update(result.latest)
        for partner_id in result.latest:
            fresh[partner_id] = fresh.get(partner_id, 0) + 1
    failures = notify_partners(node, identity, latest, transport_for, fresh=fresh)
    for partner_id, failure in failures.items():
        for result in results:
            if partner_id not in result.latest:
                continue
            if failure is None:
                result.notified.append(partner_id)
            else:
                result.notice_failures[partner_id] = failure
