from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from importlib.metadata import EntryPoint
from typing import Any

import pytest

import borderlink.exchange.stix as stix_module
from borderlink.cooperation import Released, release
from borderlink.errors import ConfigurationError, IntegrityFailure
from borderlink.exchange.client import inbox_collection, outbox_collection
from borderlink.exchange.stix import (
    NAMESPACE,
    NOMINAL_MARKING,
    TLP_MARKINGS,
    Exporter,
    RecordExporter,
    agreement_marking_id,
    definitions,
    derived_record_id,
    exporter,
    from_stix,
    new_record_id,
    node_identity_id,
    registered_exporters,
    to_stix,
)
from borderlink.model import RECORD_MODELS, Alert, CoopRecord, Seizure, Tlp
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


# --- the exporter registry ------------------------------------------------------------------


@pytest.fixture
def fresh_registry() -> Iterator[None]:
    registered_exporters.cache_clear()
    stix_module._by_type.cache_clear()
    yield
    registered_exporters.cache_clear()
    stix_module._by_type.cache_clear()


def test_every_record_kind_has_a_builtin_exporter() -> None:
    found = registered_exporters()
    assert set(found) == set(RECORD_MODELS)
    for kind, one in found.items():
        assert isinstance(one, Exporter)
        assert one.kind == kind
        assert one.stix_type == f"x-borderlink-{kind}"
    assert exporter("alert") is stix_module.ALERT


@dataclass(frozen=True)
class _Tagged(RecordExporter):
    """An add-on's exporter: the built-in mapping plus a label partners' tools filter on."""

    def to_stix(
        self, record: CoopRecord, *, agreement_id: str | None, redacted: tuple[str, ...]
    ) -> dict[str, Any]:
        obj = super().to_stix(record, agreement_id=agreement_id, redacted=redacted)
        return obj | {"labels": ["customs"]}


TAGGED_ALERT = _Tagged("alert")


def _register(monkeypatch: pytest.MonkeyPatch, *points: EntryPoint) -> None:
    monkeypatch.setattr(stix_module, "entry_points", lambda group: list(points))


def test_an_exporter_registered_through_an_entry_point_is_used(
    monkeypatch: pytest.MonkeyPatch, fresh_registry: None, alert: Alert, seizure: Seizure
) -> None:
    group = stix_module.GROUP
    _register(
        monkeypatch,
        EntryPoint("alert", f"{__name__}:TAGGED_ALERT", group),
        EntryPoint("seizure", "borderlink.exchange.stix:SEIZURE", group),
    )
    assert to_stix(alert)["labels"] == ["customs"]
    assert "labels" not in to_stix(seizure)
    with pytest.raises(ConfigurationError, match="no STIX exporter for 'aeo-status'"):
        new_record_id("aeo-status")


def test_two_exporters_for_one_kind_are_a_configuration_error(
    monkeypatch: pytest.MonkeyPatch, fresh_registry: None
) -> None:
    group = stix_module.GROUP
    _register(
        monkeypatch,
        EntryPoint("alert", "borderlink.exchange.stix:ALERT", group),
        EntryPoint("alert", f"{__name__}:TAGGED_ALERT", group),
    )
    with pytest.raises(ConfigurationError, match="another exporter"):
        registered_exporters()


def test_an_exporter_registered_under_another_kind_is_refused(
    monkeypatch: pytest.MonkeyPatch, fresh_registry: None
) -> None:
    _register(
        monkeypatch, EntryPoint("seizure", "borderlink.exchange.stix:ALERT", stix_module.GROUP)
    )
    with pytest.raises(ConfigurationError, match="exports 'alert' records"):
        registered_exporters()


# --- stable ids -----------------------------------------------------------------------------


def _uuid(stix_id: str) -> uuid.UUID:
    return uuid.UUID(stix_id.split("--", 1)[1])


def test_derived_ids_are_uuid5_of_the_natural_key_under_the_fixed_namespace() -> None:
    assert _uuid(node_identity_id("A")) == uuid.uuid5(NAMESPACE, "borderlink-node:A")
    assert _uuid(agreement_marking_id("AB-2026")) == uuid.uuid5(
        NAMESPACE, "borderlink-agreement:AB-2026"
    )
    assert uuid.UUID(outbox_collection("A", "B")).version == 5
    assert outbox_collection("A", "B") != outbox_collection("B", "A")
    assert outbox_collection("A", "B") != inbox_collection("B", "A")


def test_derived_ids_are_pinned() -> None:
    # Partners and stored records refer to these: a change here breaks them. Never update these
    # values to make the test pass.
    assert node_identity_id("A") == "identity--cfcf9a54-aa01-58bd-bb51-dd19ec59f4b4"
    assert outbox_collection("A", "B") == "68467bd6-3760-5075-863c-d2f93c89cbb5"


def test_the_alert_a_seizure_implies_has_one_id_per_seizure(seizure: Seizure) -> None:
    first = derived_record_id("alert", seizure.id)
    assert first == derived_record_id("alert", seizure.id)
    assert first.startswith("x-borderlink-alert--")
    assert _uuid(first).version == 5
    assert first != derived_record_id("alert", new_record_id("seizure"))
