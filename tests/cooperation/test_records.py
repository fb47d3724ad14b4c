from __future__ import annotations

import datetime as dt

import pytest

from borderlink.cooperation.records import new_record
from borderlink.errors import InvalidInput
from borderlink.model import Alert

NOW = dt.datetime(2026, 11, 23, tzinfo=dt.UTC)


def test_new_record_gets_the_nodes_id_issuer_and_times() -> None:
    alert = new_record(
        "alert",
        {"title": "t", "valid_from": "2026-11-23", "valid_until": "2026-12-23", "origins": ["CN"]},
        issuer="A",
        now=NOW,
    )
    assert isinstance(alert, Alert)
    assert alert.id.startswith("indicator--")  # its STIX object
    assert (alert.issuer, alert.created, alert.modified) == ("A", NOW, NOW)


@pytest.mark.parametrize(
    ("kind", "data", "field"),
    [
        ("tip", {}, "kind"),
        ("alert", {"id": "x", "title": "t"}, "id"),
        ("alert", {"title": "t", "valid_from": "2026-11-23"}, "valid_until"),
        ("seizure", {"goods_description": "g", "seized_on": "yesterday"}, "seized_on"),
    ],
)
def test_bad_input_is_refused_naming_the_field(
    kind: str, data: dict[str, object], field: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        new_record(kind, data, issuer="A", now=NOW)
    assert caught.value.field == field
