from __future__ import annotations

import datetime as dt
import json

import polars as pl

from borderlink import risk
from tests.risk import synthetic


def test_every_red_and_yellow_has_reasons(small_model: risk.RiskModel) -> None:
    flow = synthetic.declarations(800, seed=5, start=dt.date(2021, 1, 4), days=1)
    profiles = risk.compile_profiles(
        [
            risk.Profile(
                name="cheap",
                expression="unit_value_per_kg < 0.5 * ref.median_unit_value(hs6, origin)",
                weight=0.3,
                reason="unit value under half the usual",
            ),
            risk.Profile(
                name="de-red",
                expression='origin == "DE" and value > 1e9',
                channel="red",
                reason="never",
            ),
        ]
    )
    out = risk.score_flow(small_model, flow, profiles, seed=3)
    assert out.height == 800
    counts = dict(out["channel"].value_counts().iter_rows())
    assert counts == {"red": 40, "yellow": 80, "green": 680}
    flagged = out.filter(pl.col("channel") != "green")
    for row in flagged.iter_rows(named=True):
        reasons = json.loads(row["reasons"])
        assert reasons, row
        assert all(r["text"] for r in reasons)
        if row["selection"] == "random":
            assert any(r["source"] == "random" for r in reasons)
        for hit in row["profile_hits"]:
            assert {
                "source": "profile",
                "profile": hit,
                "text": "unit value under half the usual",
            } in reasons
    assert out.filter(pl.col("channel") == "green")["reasons"].null_count() == 680
    texts = " ".join(flagged["reasons"].to_list())
    assert "past inspected declarations" in texts or "the usual for" in texts


def test_declaration_takes_its_riskiest_item(small_model: risk.RiskModel) -> None:
    items = synthetic.declarations(10, seed=6, start=dt.date(2021, 1, 4), days=1)
    items = items.with_columns(
        pl.lit("D-one").alias("declaration_id"), pl.int_range(1, 11).alias("item_no")
    )
    scored = risk.score_items(small_model, items)
    decl = risk.scoring.to_declarations(scored)
    assert decl.height == 1
    assert decl["risk"][0] == scored["risk"].max()


def test_score_flows_in_parallel_keeps_order_and_results(small_model: risk.RiskModel) -> None:
    flows = [
        synthetic.declarations(300, seed=40 + i, start=dt.date(2021, 1, 4 + i), days=1)
        for i in range(4)
    ]
    serial = list(risk.scoring.score_flows(small_model, flows, seed=9, workers=1))
    parallel = list(risk.scoring.score_flows(small_model, flows, seed=9, workers=2))
    assert [f["declaration_id"].to_list() for f in parallel] == [
        f["declaration_id"].to_list() for f in serial
    ]
    for a, b in zip(serial, parallel, strict=True):
        assert a.equals(b)
