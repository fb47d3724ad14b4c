from __future__ import annotations

import math

import numpy as np
import polars as pl

from borderlink import risk
from borderlink.risk import explain


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
        "unit value 12% of the usual for 851713 from CN (n=40)"
    )
    assert explain.describe("entity:importer", row, state) == (
        "importer IMP0001: past illicit rate 40% (n=25)"
    )
    assert explain.describe("entity:exporter", row, state) == "seller EXP9: never seen before"
    assert explain.describe("route_transit", row, state) == "shipped from SG, origin CN"
    assert explain.describe("duty", row, state) == "duty rate 8.0% (duty at risk 1200)"
    assert explain.describe("category:origin_country", row, state) == "origin CN"
    far = {**row, "uv_ratio_hs6_x_origin": 35.24}
    assert explain.describe("unit_value", far, state).startswith("unit value 35.2 times the usual")


def test_top_reasons_keep_only_what_raises_the_score(small_model: risk.RiskModel) -> None:
    names = small_model.features
    families, _ = explain.family_matrix(names)
    grouped = np.zeros((1, len(families)))
    grouped[0, families.index("unit_value")] = 0.9
    grouped[0, families.index("entity:importer")] = 0.4
    grouped[0, families.index("route_transit")] = -0.3
    frame = pl.DataFrame({"hs6": ["851713"], "origin_country": ["CN"], "log_unit_value": [0.0]})
    (reasons,) = explain.top_reasons(frame, grouped, names, small_model.state, top=3)
    assert [r["reason"] for r in reasons] == ["unit_value", "entity:importer"]
