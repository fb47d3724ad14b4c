"""Partners' alerts in scoring: a declaration matching an alert in force goes red, with the alert
(and the partner that sent it) as its first reason.

Alerts arrive through ``exchange`` and are kept by ``services.cooperation``; matching is the pure
``cooperation.match_alerts``. This module joins the two to the risk engine's scored frames. An
alert counts only while the agreement it came under is in force here: one suspended or ended
stops the partner's alerts flagging declarations at once.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any

import polars as pl
from sqlalchemy import Connection, bindparam, select

from borderlink.cooperation import in_force, match_alerts
from borderlink.model.cooperation import PartnerAlert, Route
from borderlink.services.cooperation.agreements import load_agreements
from borderlink.services.node import Node
from borderlink.store.cooperation_tables import partner_alerts, received

# Read by every score; built once (SQLAlchemy keeps its cache key on the statement).
ALERTS_ON = (
    select(partner_alerts)
    .where(
        partner_alerts.c.active.is_(True),
        partner_alerts.c.valid_from <= bindparam("on_date"),
        partner_alerts.c.valid_until >= bindparam("on_date"),
    )
    .order_by(partner_alerts.c.alert_id)
)


def alerts_in_force(node: Node, on: dt.date) -> list[PartnerAlert]:
    return active_alerts(node, on)


def active_alerts(node: Node, on_date: dt.date) -> list[PartnerAlert]:
    """Partners' alerts in force on ``on_date``: not revoked, within their validity, and
    received under an agreement in force on that day (one that ends stops them at once)."""
    with node.read() as conn:
        found = conn.execute(ALERTS_ON, {"on_date": on_date}).all()
        if not found:  # none in force: no agreements to read (a single score's usual case)
            return []
        under = _latest_agreement(conn, [r.alert_id for r in found])
        terms = {a.agreement_id: a for a in load_agreements(conn)}
    rows = [
        r
        for r in found
        if r.alert_id in under
        and under[r.alert_id] in terms
        and in_force(terms[under[r.alert_id]], on_date)
    ]
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


def _latest_agreement(conn: Connection, record_ids: list[str]) -> dict[str, str]:
    """The agreement under which the latest version of each received record came."""
    if not record_ids:
        return {}
    rows = conn.execute(
        select(received.c.record_id, received.c.agreement_id)
        .where(received.c.record_id.in_(record_ids))
        .order_by(received.c.received_at, received.c.version)
    )
    return {r.record_id: r.agreement_id for r in rows}


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
