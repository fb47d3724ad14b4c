from __future__ import annotations

from typing import Any

import pytest

from borderlink.cooperation import Released, release
from borderlink.errors import IntegrityFailure
from borderlink.exchange.stix import (
    NOMINAL_MARKING,
    TLP_MARKINGS,
    agreement_marking_id,
    definitions,
    from_stix,
    to_stix,
)
from borderlink.model import Alert, Seizure, Tlp
from tests.coop_samples import stix_errors


def _valid(objects: list[dict[str, Any]]) -> None:
    assert stix_errors(objects) == []


def test_records_round_trip_through_stix(seizure: Seizure, alert: Alert) -> None:
    for record in (seizure, alert):
        assert from_stix(to_stix(record)) == record


def test_seizure_object_carries_markings_and_the_extension(seizure: Seizure) -> None:
    obj = to_stix(seizure, agreement_id="AB-2026")
    assert obj["type"] == "x-borderlink-seizure"
    assert obj["object_marking_refs"] == [
        TLP_MARKINGS[Tlp.AMBER],
        agreement_marking_id("AB-2026"),
    ]
    assert obj["granular_markings"] == [
        {"marking_ref": NOMINAL_MARKING, "selectors": ["declaration_id", "parties"]}
    ]
    assert obj["parties"][0]["name"] == "ACME Ltd"


def test_objects_and_definitions_validate_with_stix2_validator(
    seizure: Seizure, alert: Alert, make_agreement: Any
) -> None:
    out = release(seizure, "B", "risk-management", [make_agreement()], seizure.created, me="A")
    assert isinstance(out, Released)
    redacted = to_stix(
        out.record, agreement_id=out.agreement_id, redacted=tuple(r.field for r in out.removed)
    )
    assert "parties" not in redacted
    assert "granular_markings" not in redacted  # nothing nominal left to mark
    assert redacted["redacted"] == ["concealment", "declaration_id", "parties"]
    _valid([*definitions("A", "Customs of A", ["AB-2026"]), to_stix(alert), to_stix(seizure)])
    _valid([redacted])


def test_foreign_objects_are_refused() -> None:
    with pytest.raises(IntegrityFailure):
        from_stix({"type": "indicator", "id": "indicator--x"})


def test_aeo_status_round_trips_and_validates() -> None:
    from borderlink.cooperation.records import new_record

    aeo = new_record(
        "aeo-status",
        {"trader_id": "AT-1", "country": "AT", "status": "granted", "valid_from": "2026-01-01"},
        issuer="A",
        now=seizure_time(),
    )
    obj = to_stix(aeo)
    assert obj["type"] == "x-borderlink-aeo-status"
    assert obj["granular_markings"][0]["selectors"] == ["trader_id"]
    assert from_stix(obj) == aeo
    _valid([obj])


def seizure_time() -> Any:
    import datetime as dt

    return dt.datetime(2026, 11, 23, tzinfo=dt.UTC)
