"""Partners' alerts in scoring: a declaration matching an alert in force goes red, with the alert
(and the partner that sent it) as its first reason.

Alerts arrive through ``exchange`` and are kept by ``services.cooperation``; matching is the pure
``cooperation.match_alerts``. This module joins the two to the risk engine's scored frames.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any

import polars as pl

from borderlink.cooperation import match_alerts
from borderlink.model.cooperation import PartnerAlert
from borderlink.services.cooperation.records import active_alerts
from borderlink.services.node import Node


def alerts_in_force(node: Node, on: dt.date) -> list[PartnerAlert]:
    return active_alerts(node, on)


def apply_alerts(
    scored: pl.DataFrame, items: pl.DataFrame, alerts: Sequence[PartnerAlert]
) -> pl.DataFrame:
    """``scored`` (one row per declaration, with channel, selection, reasons as JSON text) with
    every declaration that an alert matches on its ``items`` sent red, the alert first in its
    reasons."""
    if not alerts or scored.is_empty():
        return scored
    hits = match_alerts(items, alerts)
    if hits.is_empty():
        return scored
    by_declaration: dict[str, list[dict[str, Any]]] = {}
    for declaration_id, alert_id, partner, reason in hits.iter_rows():
        by_declaration.setdefault(declaration_id, []).append(
            {"source": "partner_alert", "alert": alert_id, "partner": partner, "text": reason}
        )
    ids = scored["declaration_id"].cast(pl.String).to_list()
    reasons = scored["reasons"].to_list()
    channels = scored["channel"].to_list()
    selections = scored["selection"].to_list()
    for row, declaration_id in enumerate(ids):
        found = by_declaration.get(declaration_id)
        if not found:
            continue
        earlier = json.loads(reasons[row]) if reasons[row] else []
        reasons[row] = json.dumps(found + earlier, ensure_ascii=False)
        if channels[row] != "red":
            channels[row], selections[row] = "red", "alert"
    return scored.with_columns(
        pl.Series("reasons", reasons, dtype=pl.String),
        pl.Series("channel", channels, dtype=pl.String),
        pl.Series("selection", selections, dtype=pl.String),
    )
