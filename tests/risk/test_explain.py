from __future__ import annotations

import math

import numpy as np
import polars as pl

from borderlink import risk
from borderlink.risk import explain, reasons


def test_sentences_an_officer_reads(small_model: risk.RiskModel) -> None:
    state = small_model.state
    row = {
        "hs6": "851713",
        "origin_country": "CN",
        "departure_country": "SG",
        "importer_id": "IMP0001",
        "uv_ratio_hs6_x_origin": 0.12,
        "ref_n_hs6_x_origin": 40.0,
        "ref_n_hs6": 90.0,
        "te_importer": (10 + state.config.smoothing * state.prior) / (25 + state.config.smoothing),
        "n_importer": 25.0,
        "n_exporter": 0.0,
        "te_exporter": state.prior,
        "exporter_id": "EXP9",
        "route_transit": 1.0,
        "log_duty_at_risk": math.log(1200.0),
        "duty_rate": 8.0,
    }
    assert explain.describe("unit_value", row, state) == (
        "declared value per kg is 88% below the usual for 8517.13 from CN (40 earlier declarations)"
    )
    usual = f"{state.prior * 100:.0f}%"
    assert explain.describe("entity:importer", row, state) == (
        f"importer IMP0001: found illicit in 10 of 25 past inspected declarations (40%; usual "
        f"{usual})"
    )
    assert explain.describe("entity:exporter", row, state) == (
        "seller EXP9: no earlier inspected declaration"
    )
    clean = {**row, "te_importer": state.config.smoothing * state.prior / 75.0, "n_importer": 65}
    assert explain.describe("entity:importer", clean, state) == (
        "importer IMP0001: no illicit finding in 65 past inspected declarations"
    )
    assert explain.describe("route_transit", row, state) == "shipped from SG, origin CN"
    assert explain.describe("duty", row, state) == "duty rate 8.0% (1200 of duty at stake)"
    assert explain.describe("category:origin_country", row, state) == "origin CN"
    assert explain.describe("category:transport_mode", {"transport_mode": "1"}, state) == (
        "transport mode sea"
    )
    assert explain.describe("category:procedure", {"procedure": "4071"}, state) == (
        "procedure release for free circulation and home use from a customs warehouse (4071)"
    )
    far = {**row, "uv_ratio_hs6_x_origin": 35.24}
    assert explain.describe("unit_value", far, state).startswith(
        "declared value per kg is 35.2 times the usual"
    )
    above = {**row, "uv_ratio_hs6_x_origin": 1.3}
    assert explain.describe("unit_value", above, state).startswith(
        "declared value per kg is 30% above the usual"
    )


def test_top_reasons_are_signed_raising_first(small_model: risk.RiskModel) -> None:
    names = small_model.features
    families, _ = explain.family_matrix(names)
    grouped = np.zeros((1, len(families)))
    grouped[0, families.index("unit_value")] = 0.9
    grouped[0, families.index("entity:importer")] = 0.4
    grouped[0, families.index("route_transit")] = -0.3
    frame = pl.DataFrame({"hs6": ["851713"], "origin_country": ["CN"], "log_unit_value": [0.0]})
    (said,) = reasons.top_reasons(frame, grouped, names, small_model.state, top=3)
    assert [(r["reason"], r["effect"]) for r in said] == [
        ("unit_value", "raises"),
        ("entity:importer", "raises"),
        ("route_transit", "lowers"),
    ]
    assert [r["contribution"] for r in said] == [0.9, 0.4, -0.3]
    assert [r["label"] for r in said] == [
        "Value per kg against the usual",
        "Record of the importer",
        "Route",
    ]


def test_a_fact_pointing_against_its_sign_is_not_stated(small_model: risk.RiskModel) -> None:
    """'origin BD: no illicit finding in 50 past declarations' never appears as raising."""
    state = small_model.state
    names = small_model.features
    families, _ = explain.family_matrix(names)
    grouped = np.zeros((1, len(families)))
    grouped[0, families.index("entity:origin")] = 1.16
    grouped[0, families.index("unit_value")] = -0.5
    frame = pl.DataFrame(
        {
            "origin_country": ["BD"],
            "n_origin": [50.0],
            "te_origin": [state.config.smoothing * state.prior / (50 + state.config.smoothing)],
            "hs6": ["200560"],
            "uv_ratio_hs6_x_origin": [0.54],
            "ref_n_hs6_x_origin": [40.0],
        }
    )
    (said,) = reasons.top_reasons(frame, grouped, names, state, top=3)
    assert said == []  # a clean record raising, a low value lowering: neither is said


def test_the_strongest_lowering_reasons_come_first_when_few_raise(
    small_model: risk.RiskModel,
) -> None:
    """With one family raising, the "most raising" candidates reach into the lowering ones,
    weakest first: a -0.01 was said before the -0.2 that lowered the score most."""
    names = small_model.features
    families, _ = explain.family_matrix(names)
    grouped = np.full((1, len(families)), -0.01)
    grouped[0, families.index("unit_value")] = 0.9
    grouped[0, families.index("duty")] = -0.2
    grouped[0, families.index("route_transit")] = -0.05
    frame = pl.DataFrame({"hs6": ["851713"], "origin_country": ["CN"], "log_unit_value": [0.0]})
    (said,) = reasons.top_reasons(frame, grouped, names, small_model.state, top=3)
    assert [(r["reason"], r["contribution"]) for r in said] == [
        ("unit_value", 0.9),
        ("duty", -0.2),
        ("route_transit", -0.05),
    ]
