"""Who is calling: a partner node's signed request (RFC 9421), checked once and only once.

:func:`authenticate_request` verifies the signature (:mod:`borderlink.exchange.auth`) and then
records its nonce in ``request_nonces`` until the signature expires (plus the clock window): a
table, so a request replayed to another server process of the same node is refused too.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import delete, insert
from sqlalchemy.exc import IntegrityError

from borderlink.errors import ReplayDetected
from borderlink.exchange.auth import Message, authenticate
from borderlink.exchange.identity import Partner
from borderlink.services.cooperation.partners import known_partners
from borderlink.services.node import Node
from borderlink.store.exchange_tables import request_nonces

# Expired nonces are pruned by one request in sixteen (chosen by the nonce, which is random), so
# the table stays bounded without a delete on every call.
_PRUNE_ONE_IN = "0"


def authenticate_request(
    node: Node, *, method: str, url: str, headers: Any, body: bytes
) -> Partner:
    """The registered partner whose signature this request carries, the first time it is seen.

    :class:`PermissionDenied` without a signature, :class:`IntegrityFailure` for a bad one,
    :class:`ReplayDetected` for a nonce already used.
    """
    now = dt.datetime.now(dt.UTC)
    skew = dt.timedelta(seconds=node.settings.exchange_clock_skew_s)
    signed = authenticate(
        Message(method.upper(), url, headers),
        {p.partner_id: p for p in known_partners(node)},
        body=body,
        me=node.settings.node_id,
        now=now,
        skew=skew,
    )
    try:
        with node.transaction() as conn:
            conn.execute(
                insert(request_nonces).values(
                    sender_id=signed.partner.partner_id,
                    nonce=signed.nonce,
                    expires_at=signed.expires + skew,
                )
            )
            if signed.nonce.startswith(_PRUNE_ONE_IN):
                conn.execute(delete(request_nonces).where(request_nonces.c.expires_at < now))
    except IntegrityError as error:
        raise ReplayDetected(
            f"signed request from {signed.partner.partner_id} replayed (nonce already used)"
        ) from error
    return signed.partner
