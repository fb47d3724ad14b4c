"""The rows issuing and receiving write in bulk, in the caller's transaction: a record as held,
its audit entry, its verifiable-log entry, and the upsert that writes them idempotently on the
record's key."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection, Table, bindparam, update

from borderlink.exchange.envelope import digest
from borderlink.exchange.identity import Partner
from borderlink.model.cooperation import CoopRecord
from borderlink.store.bulk import insert_dicts


def log_entry(
    kind: str,
    stix: Mapping[str, Any],
    peer: Partner | str,
    token: str,
    token_digest: str | None = None,
) -> dict[str, Any]:
    """``token_digest``: ``token``'s digest where the caller already has it."""
    return {
        "kind": kind,
        "record_id": stix["id"],
        "version": stix["modified"],
        "peer": peer.partner_id if isinstance(peer, Partner) else peer,
        "digest": token_digest or digest(token),
    }


def audit_row(
    now: dt.datetime,
    actor: str,
    action: str,
    record: CoopRecord | None = None,
    *,
    reason: str | None = None,
    details: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """One audit entry as a row, for bulk inserts in the caller's transaction."""
    return {
        "at": now,
        "actor": actor,
        "action": action,
        "object_type": record.kind if record else None,
        "object_id": record.id if record else None,
        "reason": reason,
        "details": details,
    }


def record_row(
    record: CoopRecord, stix: dict[str, Any], *, received_from: str | None, now: dt.datetime
) -> dict[str, Any]:
    return {
        "record_id": record.id,
        "kind": record.kind,
        "issuer": record.issuer,
        "modified": record.modified,
        "document": stix,
        "received_from": received_from,
        "stored_at": now,
    }


def upsert(
    conn: Connection, table: Table, key: str, rows: list[dict[str, Any]], existing: set[str]
) -> None:
    """Insert the rows whose key is new, update the others (bulk, one statement each)."""
    new = [r for r in rows if r[key] not in existing]
    old = [r for r in rows if r[key] in existing]
    insert_dicts(conn, table, new)
    if old:
        columns = [c for c in old[0] if c != key]
        statement = (
            update(table)
            .where(table.c[key] == bindparam("k_" + key))
            .values({c: bindparam("v_" + c) for c in columns})
        )
        conn.execute(
            statement,
            [{"k_" + key: r[key], **{"v_" + c: r[c] for c in columns}} for r in old],
        )


# --- reading --------------------------------------------------------------------------------
