"""Keeping refused envelopes in the quarantine, whichever way they arrived.

A sync keeps what a page refused in the transaction that moves its cursor; a pushed envelope
(:func:`borderlink.services.cooperation.receiving.receive`) is kept in the transaction that
refused it. Retrying and showing them is :mod:`.quarantine`'s (which needs the receiving code
this module must not import).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import Connection, insert, select, update

from borderlink.errors import BorderLinkError
from borderlink.exchange.envelope import digest
from borderlink.store.cooperation_tables import quarantine


def keep(
    conn: Connection,
    partner_id: str,
    rejected: Sequence[tuple[str, BorderLinkError]],
    now: dt.datetime,
) -> None:
    """Quarantine each refused envelope (idempotent on its digest: a repeat counts an attempt)."""
    if not rejected:
        return
    by_digest = {digest(token): (token, error) for token, error in rejected}
    held = {
        r.digest: r.attempts
        for r in conn.execute(
            select(quarantine.c.digest, quarantine.c.attempts).where(
                quarantine.c.digest.in_(list(by_digest))
            )
        )
    }
    new = [
        {
            "digest": d,
            "partner_id": partner_id,
            "envelope": token,
            "code": error.code,
            "reason": error.detail,
            "attempts": 1,
            "first_seen": now,
            "last_tried": now,
        }
        for d, (token, error) in by_digest.items()
        if d not in held
    ]
    if new:
        conn.execute(insert(quarantine), new)
    for d, attempts in held.items():
        error = by_digest[d][1]
        conn.execute(
            update(quarantine)
            .where(quarantine.c.digest == d)
            .values(code=error.code, reason=error.detail, attempts=attempts + 1, last_tried=now)
        )
