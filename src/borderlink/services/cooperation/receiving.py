"""Receiving partners' records: verify each envelope, apply the agreement, store, log — in bulk.

An envelope is accepted only if it is signed by a registered partner, addressed to this node,
not seen before (sender + nonce), newer than the version held, issued by its sender (no onward
sharing), and exactly what an agreement in force lets that sender send: the same policy function
that guards what leaves runs from the sender's side, and must find nothing left to remove.
Refusals are kept in the audit log with the envelope itself and the reason.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, insert, select

from borderlink.cooperation.policy import Denial, RulesMemo, release
from borderlink.errors import BorderLinkError, PolicyDenied, ReplayDetected
from borderlink.exchange.envelope import Envelope, claimed_sender, digest, open_envelope
from borderlink.exchange.identity import Partner
from borderlink.exchange.page import PageManifest
from borderlink.exchange.stix import from_stix, timestamp
from borderlink.model.cooperation import Agreement, Alert, CoopRecord
from borderlink.services.accounts.access import Permission, Principal, require
from borderlink.services.cooperation.agreements import confirmed_parties, load_agreements
from borderlink.services.cooperation.assistance_cases import track as track_assistance
from borderlink.services.cooperation.record_reads import held_versions, load_partners
from borderlink.services.cooperation.record_rows import audit_row, log_entry, record_row, upsert
from borderlink.services.cooperation.retention import (  # re-exported: the CLI purges here
    RETENTION as RETENTION,
)
from borderlink.services.cooperation.retention import (
    purge_expired as purge_expired,
)
from borderlink.services.exchange.added import stamp_held
from borderlink.services.exchange.log import append, exclusive
from borderlink.services.exchange.quarantine_store import keep
from borderlink.services.node import Node
from borderlink.store.bulk import insert_dicts
from borderlink.store.cooperation_tables import coop_records, partner_alerts, received
from borderlink.store.tables import audit_log

# The background actor receiving from partners (authenticated by their signatures).
EXCHANGE = Principal.system("exchange")


@dataclass
class ReceiveSummary:
    accepted: list[Envelope] = field(default_factory=list)
    duplicates: int = 0
    rejected: list[tuple[str, BorderLinkError]] = field(default_factory=list)  # (token, why)
    superseded: int = 0  # older versions than the one held (arrived out of order): ignored
    repeats: set[str] = field(default_factory=set)  # refused tokens already held byte for byte
    vouched: int = 0  # envelopes whose signature the page's signature stood for


def receive(node: Node, token: str, *, principal: Principal = EXCHANGE) -> Envelope:
    """Accept one envelope; raise why it is refused (the refusal is recorded all the same).

    The sender is authenticated by the envelope's signature; the node receives as ``principal``.
    """
    require(principal, Permission.SHARING_OUTGOING)
    with exclusive(node) as conn:
        summary = receive_all(conn, node, [token], actor=principal.username, duplicates_ok=False)
        # Kept like what a sync refuses, under the sender the token names (it may be forged:
        # the reason says so); an envelope already held, byte for byte, loses nothing.
        kept = [(t, e) for t, e in summary.rejected if t not in summary.repeats]
        keep(conn, claimed_sender(token), kept, dt.datetime.now(dt.UTC))
    if summary.rejected:
        raise summary.rejected[0][1]
    return summary.accepted[0]


# long: one exclusive transaction: bulk lookups, then bulk writes, in the order they run
def receive_all(
    conn: Connection,
    node: Node,
    tokens: Sequence[str],
    *,
    actor: str,
    duplicates_ok: bool = True,
    manifest: PageManifest | None = None,
) -> ReceiveSummary:
    """Accept a batch of envelopes in the caller's exclusive transaction.

    With ``duplicates_ok`` (sync), an envelope already accepted, byte for byte, counts as a
    duplicate; otherwise it is a replay and refused. ``manifest``: the verified signature of
    the page ``tokens`` came in (:mod:`borderlink.exchange.page`): an envelope it lists, byte
    for byte, is not verified again; every other one is, and every other check runs for all.
    """
    now = dt.datetime.now(dt.UTC)
    me = node.settings.node_id
    skew = dt.timedelta(seconds=node.settings.exchange_clock_skew_s)
    agreements = {a.agreement_id: a for a in load_agreements(conn)}
    confirmed = confirmed_parties(conn, me)
    summary = ReceiveSummary()

    partners = {p.partner_id: p for p in load_partners(conn)}
    opened = _open_all(tokens, partners, summary, me=me, now=now, skew=skew, manifest=manifest)
    seen = _seen(conn, [env for _, env in opened])
    held = held_versions(conn, [env.record_id for _, env in opened])
    alerts_held = _alerts_held(conn, [env.record_id for _, env in opened])
    under = _received_under(conn, [env for _, env in opened])

    records: dict[str, dict[str, Any]] = {}
    accepted: list[CoopRecord] = []
    alert_rows: dict[str, dict[str, Any]] = {}
    receipts: list[dict[str, Any]] = []
    entries: list[dict[str, Any]] = []
    held_before = set(held)
    memo: RulesMemo = {}  # the page's agreements are fixed: their rules are worked out once
    for token, env in opened:
        key = (env.sender, env.nonce)
        if key in seen:
            _seen_before(summary, token, env, exact=seen[key] == env.digest, ok=duplicates_ok)
            continue
        try:
            record = _accept(env, (agreements, confirmed), (held, under), me, now, memo)
        except ReplayDetected as error:  # an older version than the one held
            if duplicates_ok:
                summary.superseded += 1
            else:
                summary.rejected.append((token, error))
            continue
        except BorderLinkError as error:
            summary.rejected.append((token, error))
            continue
        seen[key] = env.digest
        held[record.id] = record.modified
        records[record.id] = record_row(record, env.object, received_from=env.sender, now=now)
        accepted.append(record)
        receipts.append(_receipt(env, now))
        if isinstance(record, Alert):
            alert_rows[record.id] = _alert_row(record, env.sender, now)
        entries.append(
            log_entry(
                "revoked" if record.revoked else "received",
                env.object,
                env.sender,
                token,
                env.digest,
            )
        )
        summary.accepted.append(env)

    stamp_held(conn, list(records.values()))  # a unique date_added in the inbox collection
    upsert(conn, coop_records, "record_id", list(records.values()), held_before)
    upsert(conn, partner_alerts, "alert_id", list(alert_rows.values()), alerts_held)
    track_assistance(conn, accepted, me=me, now=now)
    insert_dicts(conn, received, receipts)
    append(conn, entries)
    _audit(conn, summary, now, actor)
    return summary


def _open_all(
    tokens: Sequence[str],
    partners: dict[str, Partner],
    summary: ReceiveSummary,
    *,
    me: str,
    now: dt.datetime,
    skew: dt.timedelta,
    manifest: PageManifest | None,
) -> list[tuple[str, Envelope]]:
    """The envelopes whose signature and address check out; the others go to ``rejected``."""
    opened: list[tuple[str, Envelope]] = []
    headers: dict[str, Any] = {}  # a sender's envelopes share one header: decoded once
    for i, token in enumerate(tokens):
        by = manifest.sender if manifest is not None and manifest.vouches(i, token) else None
        try:
            env = open_envelope(
                token, partners, me=me, now=now, skew=skew, vouched_by=by, headers=headers
            )
        except BorderLinkError as error:
            summary.rejected.append((token, error))
            continue
        opened.append((token, env))
        summary.vouched += by is not None
    return opened


def _seen_before(
    summary: ReceiveSummary, token: str, env: Envelope, *, exact: bool, ok: bool
) -> None:
    """An envelope whose nonce was received before: the same one again is a duplicate where
    duplicates are ``ok`` (sync), else a replay; another one with that nonce is a replay."""
    if exact and ok:
        summary.duplicates += 1
        return
    if exact:
        summary.repeats.add(token)
    replay = ReplayDetected(f"envelope {env.nonce} from {env.sender} was already received")
    summary.rejected.append((token, replay))


def _receipt(env: Envelope, now: dt.datetime) -> dict[str, Any]:
    return {
        "sender_id": env.sender,
        "nonce": env.nonce,
        "record_id": env.record_id,
        "version": env.version,
        "agreement_id": env.agreement_id,
        "digest": env.digest,
        "received_at": now,
    }


def _audit(conn: Connection, summary: ReceiveSummary, now: dt.datetime, actor: str) -> None:
    """Each refusal (with the envelope itself), and one entry for what was accepted."""
    audits = [
        audit_row(
            now,
            actor,
            "exchange.reject",
            reason=error.detail,
            details={"code": error.code, "digest": digest(token), "envelope": token},
        )
        for token, error in summary.rejected
    ]
    if summary.accepted:
        audits.append(
            audit_row(
                now,
                actor,
                "exchange.receive",
                details={
                    "accepted": [e.record_id for e in summary.accepted][:1000],
                    "duplicates": summary.duplicates,
                    "superseded": summary.superseded,
                    "vouched_by_page_signature": summary.vouched,
                },
            )
        )
    if audits:
        conn.execute(insert(audit_log), audits)


def _accept(
    env: Envelope,
    terms: tuple[dict[str, Agreement], dict[str, set[str]]],
    known: tuple[dict[str, dt.datetime], set[tuple[str, str, str]]],
    me: str,
    now: dt.datetime,
    memo: RulesMemo | None = None,
) -> CoopRecord:
    agreements, confirmed = terms
    held, under = known
    record = from_stix(env.object)
    if record.issuer != env.sender:
        raise PolicyDenied(
            f"{env.sender} relays a record issued by {record.issuer}: onward sharing not accepted"
        )
    agreement = agreements.get(env.agreement_id)
    if agreement is None:
        raise PolicyDenied(f"{env.sender} sent under unknown agreement {env.agreement_id!r}")
    # A revocation of a record received under this agreement is accepted whatever its state.
    earlier = env.agreement_id if (env.sender, record.id, env.agreement_id) in under else None
    if env.sender not in confirmed.get(env.agreement_id, ()) and not (record.revoked and earlier):
        raise PolicyDenied(
            f"{env.sender} sent under agreement {env.agreement_id}, whose copies do not match "
            "yet (exchange the signed copies: `borderlink agreements copy`)"
        )
    # Only what the release would remove is asked (nothing may be): no copy is built.
    check = release(
        record,
        me,
        env.purpose,
        [agreement],
        now,
        me=env.sender,
        sent_under=earlier,
        memo=memo,
        copy=False,
    )
    if isinstance(check, Denial):
        raise PolicyDenied(f"not accepted from {env.sender}: {check.detail}")
    if check.removed:
        fields = ", ".join(r.field for r in check.removed)
        raise PolicyDenied(
            f"{env.sender} sent fields agreement {env.agreement_id} excludes: {fields}"
        )
    version = held.get(record.id)
    if version is not None and version >= record.modified:
        raise ReplayDetected(
            f"{record.id}: version {timestamp(record.modified)} is not newer than the one held "
            f"({timestamp(version)})"
        )
    return record


def _seen(conn: Connection, envelopes: list[Envelope]) -> dict[tuple[str, str], str]:
    nonces = list({e.nonce for e in envelopes})
    if not nonces:
        return {}
    senders = list({e.sender for e in envelopes})
    rows = conn.execute(  # both key columns, so the primary key index serves the lookup
        select(received.c.sender_id, received.c.nonce, received.c.digest).where(
            received.c.sender_id.in_(senders), received.c.nonce.in_(nonces)
        )
    )
    return {(r.sender_id, r.nonce): r.digest for r in rows}


def _received_under(conn: Connection, envelopes: list[Envelope]) -> set[tuple[str, str, str]]:
    """(sender, record, agreement) of what was received before, of the records in ``envelopes``."""
    ids = list({e.record_id for e in envelopes})
    if not ids:
        return set()
    rows = conn.execute(
        select(received.c.sender_id, received.c.record_id, received.c.agreement_id)
        .where(received.c.record_id.in_(ids))
        .distinct()
    )
    return {(r.sender_id, r.record_id, r.agreement_id) for r in rows}


def _alerts_held(conn: Connection, ids: list[str]) -> set[str]:
    if not ids:
        return set()
    rows = conn.execute(
        select(partner_alerts.c.alert_id).where(partner_alerts.c.alert_id.in_(set(ids)))
    )
    return {r.alert_id for r in rows}


def _alert_row(record: Alert, sender: str, now: dt.datetime) -> dict[str, Any]:
    """The row of :func:`partner_alert`'s view of ``record``, read off the validated record
    itself (building the view validated every value a second time, at a cost per alert)."""
    return {
        "alert_id": record.id,
        "partner_id": sender,
        "title": record.title,
        "valid_from": record.valid_from,
        "valid_until": record.valid_until,
        "trader_ids": list(record.trader_ids),
        "hs_codes": list(record.hs_codes),
        "origins": list(record.origins),
        "route": record.route.model_dump(mode="json"),
        "active": not record.revoked,
        "received_at": now,
    }
