"""AEO benefits over a scored flow: lowered risk, channels decided again, capacity reserved."""

from __future__ import annotations

import datetime as dt
import json

import polars as pl

from borderlink.model.aeo import Benefits, TrustedTrader
from borderlink.model.messages import render
from borderlink.risk.aeo import apply_benefits, match_trusted

DAY = dt.date(2026, 5, 4)


def trusted(party: str = "DE123", **benefits: object) -> TrustedTrader:
    return TrustedTrader(
        party_id=party,
        mra_id="AB-MRA",
        mra_title="Atlantis-Borduria MRA",
        programme="AEOF",
        status_id="identity--1",
        roles=("importer", "exporter"),
        benefits=Benefits.model_validate(benefits or {"risk_weight": 0.1}),
        valid_from=dt.date(2026, 1, 1),
        valid_until=dt.date(2026, 12, 31),
    )


def flow(rows: list[tuple[str, str, float, str, str]]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(declaration, importer, risk, channel, selection) -> (scored, items)."""
    scored = pl.DataFrame(
        {
            "declaration_id": [r[0] for r in rows],
            "model_score": [r[2] for r in rows],
            "risk": [r[2] for r in rows],
            "channel": [r[3] for r in rows],
            "selection": [r[4] for r in rows],
            "reasons": [None for _ in rows],
        },
        schema_overrides={"reasons": pl.String},
    )
    items = pl.DataFrame(
        {
            "declaration_id": [r[0] for r in rows],
            "declared_on": [DAY for _ in rows],
            "importer_id": [r[1] for r in rows],
            "exporter_id": [None for _ in rows],
        },
        schema_overrides={"exporter_id": pl.String},
    )
    return scored, items


def channels(out: pl.DataFrame) -> dict[str, str]:
    return dict(zip(out["declaration_id"], out["channel"], strict=True))


def test_under_quotas_an_aeos_place_goes_to_the_next_riskiest() -> None:
    scored, items = flow(
        [
            ("d1", "DE123", 0.9, "red", "risk"),
            ("d2", "X1", 0.8, "yellow", "risk"),
            ("d3", "X2", 0.7, "green", "none"),
            ("d4", "X3", 0.1, "green", "none"),
        ]
    )
    out = apply_benefits(scored, items, [trusted(risk_weight=0.05)])
    assert channels(out) == {"d1": "green", "d2": "red", "d3": "yellow", "d4": "green"}
    assert out.filter(pl.col("declaration_id") == "d1")["risk"][0] == 0.9 * 0.05
    reason = json.loads(out["reasons"][0])[-1]
    assert reason["text"] == "AEO under the Atlantis-Borduria MRA: risk lowered"
    assert (reason["source"], reason["mra"], reason["role"]) == ("aeo", "AB-MRA", "importer")
    # ... and as a message a page says in its reader's language
    french = {"AEO under the %(mra)s: %(benefit)s": "OEA (%(mra)s) : %(benefit)s"}
    french["risk lowered"] = "risque abaissé"
    said = render(reason, lambda text: french.get(text, text))
    assert said == "OEA (Atlantis-Borduria MRA) : risque abaissé"
    freed = json.loads(out["reasons"][2])
    assert freed[-1]["source"] == "capacity"  # d3 says why it took a place
    assert render(freed[-1], lambda text: text.upper()) == freed[-1]["text"].upper()


def test_with_cutoffs_the_lowered_risk_is_held_against_them() -> None:
    scored, items = flow([("d1", "DE 123", 0.9, "red", "risk"), ("d2", "X1", 0.9, "red", "risk")])
    out = apply_benefits(scored, items, [trusted(risk_weight=0.5)], cutoffs=(0.6, 0.3))
    assert channels(out) == {"d1": "yellow", "d2": "red"}  # the id matched without its space


def test_orders_alerts_hits_and_the_random_sample_are_never_lowered() -> None:
    scored, items = flow(
        [
            ("d1", "DE123", 0.9, "red", "profile"),
            ("d2", "DE123", 0.9, "red", "alert"),
            ("d3", "DE123", 0.9, "red", "screen"),
            ("d4", "DE123", 0.1, "yellow", "random"),
        ]
    )
    out = apply_benefits(scored, items, [trusted(risk_weight=0.01)], cutoffs=(0.5, 0.3))
    assert channels(out) == {"d1": "red", "d2": "red", "d3": "red", "d4": "yellow"}


def test_fewer_document_checks_and_priority() -> None:
    rows = [(f"d{i}", "DE123", 0.5, "yellow", "risk") for i in range(200)]
    scored, items = flow(rows)
    out = apply_benefits(scored, items, [trusted(document_checks=0.25)], cutoffs=(0.9, 0.3))
    kept = out.filter(pl.col("channel") == "yellow").height
    assert 25 <= kept <= 75  # a quarter kept, by a hash of the id
    again = apply_benefits(scored, items, [trusted(document_checks=0.25)], cutoffs=(0.9, 0.3))
    assert again["channel"].to_list() == out["channel"].to_list()  # the same ones, every time
    waived = out.filter(pl.col("channel") == "green")["reasons"][0]
    assert "documentary check waived" in json.loads(waived)[-1]["text"]
    scored, items = flow([("d1", "DE123", 0.9, "red", "risk")])
    out = apply_benefits(scored, items, [trusted(priority_inspection=True)], cutoffs=(0.5, 0.3))
    assert out["channel"][0] == "red"
    assert json.loads(out["reasons"][0])[-1]["priority"] is True


def test_outside_the_status_validity_or_role_nothing_changes() -> None:
    scored, items = flow([("d1", "DE123", 0.9, "red", "risk")])
    late = items.with_columns(pl.lit(dt.date(2027, 1, 5)).alias("declared_on"))
    assert apply_benefits(scored, late, [trusted()], cutoffs=(0.5, 0.3)).equals(scored)
    declarant_only = trusted().model_copy(update={"roles": ("declarant",)})
    assert match_trusted(items, [declarant_only]) == {}


def test_the_strongest_benefit_wins() -> None:
    _scored, items = flow([("d1", "DE123", 0.9, "red", "risk")])
    weak = trusted(risk_weight=0.9)
    strong = trusted(risk_weight=0.2).model_copy(update={"mra_id": "CD-MRA"})
    found = match_trusted(items, [weak, strong])
    assert found["d1"][0].mra_id == "CD-MRA"
