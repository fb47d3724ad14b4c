from __future__ import annotations

import datetime as dt

import polars as pl

from borderlink.cooperation import alert_from_seizure, match_alerts, partner_alert
from borderlink.model import PartnerAlert, Route, Seizure

DAY = dt.date(2026, 11, 24)


def _frame() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "declaration_id": ["D1", "D2", "D3", "D4", "D4"],
            "declared_on": [DAY, DAY, DAY, DAY - dt.timedelta(days=30), DAY],
            "importer_id": ["T-42", "T-1", "T-2", "T-42", "T-3"],
            "exporter_id": ["E1", "E1", "T-42", "E1", "E2"],
            "hs_code": ["240220", "240220", "940161", "240220", "850000"],
            "hs_code_current": ["240220", "240220", "940161", "240220", "850000"],
            "origin_country": ["CN", "VN", "CN", "CN", "CN"],
            "departure_country": ["CN", "CN", "CN", "CN", None],
        }
    )


def test_alert_derived_from_a_seizure_scopes_goods_origin_route_traders(seizure: Seizure) -> None:
    alert = alert_from_seizure(seizure, alert_id="x-borderlink-alert--1", valid_days=30)
    assert alert.hs_codes == ("240220",)
    assert alert.origins == ("CN",)
    assert alert.trader_ids == ("T-42",)
    assert alert.route == seizure.route
    assert alert.valid_until - alert.valid_from == dt.timedelta(days=30)
    assert alert.source_seizure == seizure.id


def test_match_requires_every_scoped_dimension_and_validity() -> None:
    alert = PartnerAlert(
        alert_id="al-1",
        partner_id="A",
        title="cigarettes",
        valid_from=DAY - dt.timedelta(days=1),
        valid_until=DAY + dt.timedelta(days=1),
        hs_codes=("2402", "9401"),
        origins=("CN",),
        route=Route(departure_country="CN"),
    )
    hits = match_alerts(_frame(), [alert])
    # D2: wrong origin; D4: first item out of validity, second item wrong HS and no departure.
    assert hits["declaration_id"].to_list() == ["D1", "D3"]
    assert set(hits["partner"]) == {"A"}
    assert "partner A" in hits["reason"][0]
    assert "HS 2402*/9401*" in hits["reason"][0]


def test_trader_scope_looks_at_every_party_column() -> None:
    alert = PartnerAlert(
        alert_id="al-2",
        partner_id="A",
        title="trader",
        valid_from=DAY,
        valid_until=DAY,
        trader_ids=("T-42",),
    )
    assert match_alerts(_frame(), [alert])["declaration_id"].to_list() == ["D1", "D3"]


def test_unscoped_inactive_or_no_alerts_match_nothing(seizure: Seizure) -> None:
    unscoped = PartnerAlert(
        alert_id="x", partner_id="A", title="all", valid_from=DAY, valid_until=DAY
    )
    received = partner_alert(
        alert_from_seizure(seizure, alert_id="y").model_copy(update={"revoked": True}), "A"
    )
    for alerts in ([unscoped], [received], []):
        hits = match_alerts(_frame(), alerts)
        assert hits.height == 0
        assert hits.columns == ["declaration_id", "alert_id", "partner", "reason"]
