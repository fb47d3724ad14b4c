"""The rows receiving writes in bulk say what the domain functions they stand for say."""

from __future__ import annotations

import pytest

from borderlink.cooperation.alerts import partner_alert
from borderlink.model import Route
from borderlink.services.cooperation.receiving import _alert_row
from tests.coop_samples import NOW, sample_alert


@pytest.mark.parametrize("revoked", [False, True])
def test_a_received_alerts_row_is_its_partner_alert(revoked: bool) -> None:
    alert = sample_alert(
        revoked=revoked,
        trader_ids=("T-1", "T-2"),
        route=Route(departure_country="CN", loading_location="CNSHA"),
    )
    view = partner_alert(alert, "A")
    row = _alert_row(alert, "A", NOW)
    assert row == {
        **view.model_dump(mode="json", exclude={"valid_from", "valid_until"}),
        "valid_from": view.valid_from,
        "valid_until": view.valid_until,
        "received_at": NOW,
    }
    assert row["active"] is not revoked
