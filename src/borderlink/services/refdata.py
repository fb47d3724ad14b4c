"""Reference data use cases (placeholder until the refdata services land): the snapshot."""

from __future__ import annotations

from borderlink.refdata import RefData, builtin
from borderlink.services.node import Node


def snapshot(node: Node) -> RefData:
    return builtin(node.settings.reporting_currency)
