"""Calls from this node to its partners: signed clients sharing the node's TLS context
(``node.runtime``), so a notice or a sync does not pay for building one each time (the notices
themselves: :mod:`.push`)."""

from __future__ import annotations

import httpx

from borderlink.exchange.client import PartnerClient, tls_context
from borderlink.exchange.identity import NodeIdentity, Partner
from borderlink.services.node import Node


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
