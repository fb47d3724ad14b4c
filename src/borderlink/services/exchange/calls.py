"""Calls from this node to its partners: signed clients sharing the node's TLS context
(``node.runtime``), so a notice or a sync does not pay for building one each time; "new data"
notices, sent to every partner at once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor

import httpx

from borderlink.errors import BorderLinkError
from borderlink.exchange.client import PartnerClient, notice, tls_context
from borderlink.exchange.identity import NodeIdentity, Partner
from borderlink.services.cooperation.partners import known_partners
from borderlink.services.node import Node

MAX_NOTICES_AT_ONCE = 16  # threads sending notices at once (each waits on one partner)


def partner_client(
    node: Node,
    identity: NodeIdentity,
    partner: Partner,
    transport: httpx.BaseTransport | None = None,
) -> PartnerClient:
    """A client for ``partner`` (close it, or use it as a context manager)."""
    return PartnerClient(
        identity,
        partner,
        transport=transport,
        timeout=node.settings.exchange_timeout_s,
        tls=node.runtime.tls_context(tls_context),
    )


def notify_partners(
    node: Node,
    identity: NodeIdentity,
    latest: Mapping[str, int],
    transport_for: Callable[[Partner], httpx.BaseTransport | None] | None = None,
) -> dict[str, str | None]:
    """Tell each partner its collection grew to ``latest[partner]``; why each notice failed
    (None: it was accepted). A partner that missed one still gets the copies on its next poll."""
    if not latest:
        return {}
    partners = {p.partner_id: p for p in known_partners(node)}

    def send(partner_id: str) -> str | None:
        partner = partners[partner_id]
        token = notice(identity, partner_id, latest[partner_id], dt.datetime.now(dt.UTC))
        try:
            with partner_client(
                node, identity, partner, transport_for(partner) if transport_for else None
            ) as client:
                client.notify(token)
        except BorderLinkError as error:
            return error.detail
        return None

    # All partners at once: each notice waits on its partner's answer, and one after another
    # the last partner heard of the record only once every other partner had answered.
    with ThreadPoolExecutor(max_workers=min(MAX_NOTICES_AT_ONCE, len(latest))) as pool:
        return dict(zip(latest, pool.map(send, latest), strict=True))
