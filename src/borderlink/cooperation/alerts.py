"""Alerts at work: derive one from a seizure, and match declarations against partners' alerts.

:func:`match_alerts` is a pure function from a frame of declarations (canonical columns) to a
frame of hits ``(declaration_id, alert_id, partner, reason)``: the risk engine joins it into its
scores. An alert matches a goods item when the item's declaration date is within the alert's
validity and every dimension the alert scopes (traders, HS prefixes, origins, route) matches;
an alert with no scope at all matches nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from functools import reduce
from types import MappingProxyType

import polars as pl

from borderlink.model.cooperation import Alert, PartnerAlert, Seizure

TRADER_COLUMNS = ("importer_id", "exporter_id", "declarant_id", "carrier_id")
ROUTE_COLUMNS = ("departure_country", "loading_location", "discharge_location", "transport_mode")
HITS_SCHEMA = MappingProxyType(
    {
        "declaration_id": pl.String,
        "alert_id": pl.String,
        "partner": pl.String,
        "reason": pl.String,
    }
)


# Where each field of an alert derived from a seizure comes from (seizure paths): the release
# policy lets a derived field flow only when its sources may flow under the same agreement.
DERIVED_FROM: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "title": ("goods_description",),
        "description": ("seized_on",),
        "hs_codes": ("hs_code",),
        "origins": ("origin_country",),
        "route": ("route",),
        "concealment": ("concealment",),
        "trader_ids": ("parties.party_id",),
    }
)
DERIVED_TITLE = "Seizure: {goods_description}"


def derived_title(goods_description: str) -> str:
    return DERIVED_TITLE.format(goods_description=goods_description)[:200]


def alert_from_seizure(seizure: Seizure, *, alert_id: str, valid_days: int = 90) -> Alert:
    """What a seizure tells others to look for: same goods, origin, route and traders."""
    start = seizure.seized_on
    return Alert(
        id=alert_id,
        issuer=seizure.issuer,
        created=seizure.created,
        modified=seizure.modified,
        classification=seizure.classification,
        tlp=seizure.tlp,
        title=derived_title(seizure.goods_description),
        description=f"Derived from seizure {seizure.id} on {start.isoformat()}",
        valid_from=start,
        valid_until=start + dt.timedelta(days=valid_days),
        hs_codes=(seizure.hs_code[:6],) if seizure.hs_code else (),
        origins=(seizure.origin_country,) if seizure.origin_country else (),
        route=seizure.route,
        concealment=seizure.concealment,
        trader_ids=tuple(p.party_id for p in seizure.parties if p.party_id),
        source_seizure=seizure.id,
    )


def partner_alert(alert: Alert, partner_id: str) -> PartnerAlert:
    return PartnerAlert(
        alert_id=alert.id,
        partner_id=partner_id,
        title=alert.title,
        valid_from=alert.valid_from,
        valid_until=alert.valid_until,
        trader_ids=alert.trader_ids,
        hs_codes=alert.hs_codes,
        origins=alert.origins,
        route=alert.route,
        active=not alert.revoked,
    )


def _col(frame: pl.DataFrame, name: str) -> pl.Expr:
    return pl.col(name) if name in frame.columns else pl.lit(None, dtype=pl.String)


def _condition(frame: pl.DataFrame, alert: PartnerAlert) -> tuple[pl.Expr, list[str]] | None:
    parts: list[pl.Expr] = []
    why: list[str] = []
    if alert.trader_ids:
        ids = list(alert.trader_ids)
        parts.append(
            reduce(lambda a, b: a | b, [_col(frame, c).is_in(ids) for c in TRADER_COLUMNS])
        )
        why.append("trader " + "/".join(ids))
    if alert.hs_codes:
        hs = (
            pl.coalesce(_col(frame, "hs_code_current"), _col(frame, "hs_code"))
            if "hs_code_current" in frame.columns
            else _col(frame, "hs_code")
        )
        parts.append(reduce(lambda a, b: a | b, [hs.str.starts_with(p) for p in alert.hs_codes]))
        why.append("HS " + "/".join(f"{p}*" for p in alert.hs_codes))
    if alert.origins:
        parts.append(_col(frame, "origin_country").is_in(list(alert.origins)))
        why.append("origin " + "/".join(alert.origins))
    for name in ROUTE_COLUMNS:
        value = getattr(alert.route, name)
        if value is not None:
            parts.append(_col(frame, name) == value)
            why.append(f"{name.replace('_', ' ')} {value}")
    if not parts:
        return None
    on = _col(frame, "declared_on")
    parts.append(on.is_between(pl.lit(alert.valid_from), pl.lit(alert.valid_until)))
    return reduce(lambda a, b: a & b, parts).fill_null(False), why


def match_alerts(frame: pl.DataFrame, alerts: Iterable[PartnerAlert]) -> pl.DataFrame:
    """Hits of active partner alerts on declarations: one row per (declaration, alert)."""
    hits = []
    for alert in alerts:
        if not alert.active:
            continue
        built = _condition(frame, alert)
        if built is None:
            continue
        condition, why = built
        reason = f"alert from partner {alert.partner_id}: {alert.title} ({', '.join(why)})"
        matched = (
            frame.filter(condition)
            .select(pl.col("declaration_id").cast(pl.String))
            .unique(maintain_order=True)
            .with_columns(
                alert_id=pl.lit(alert.alert_id),
                partner=pl.lit(alert.partner_id),
                reason=pl.lit(reason),
            )
        )
        hits.append(matched)
    if not hits:
        return pl.DataFrame(schema=HITS_SCHEMA)
    return pl.concat(hits).cast(HITS_SCHEMA)  # type: ignore[arg-type]
