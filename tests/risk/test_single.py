"""The one-row path scores each declaration exactly as the flow path does.

Generated declarations (single- and multi-item, with unseen keys, missing and non-positive
values) and generated profiles using every part of the language; the flow path runs over more
than 256 rows, so it takes the joins, not the lookups.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import numpy as np
import polars as pl
import pytest

from borderlink import risk
from borderlink.risk.profiles import condition_hits
from borderlink.risk.single import score_rows
from tests.risk import synthetic

# Every construct of the language, null and NaN included (0/0 where a value and a mass are 0).
HANDWRITTEN = (
    'origin in ["CN", "VN"] and unit_value_per_kg < 0.5 * ref.median_unit_value(hs6, origin)',
    'origin not in ["CN"] or not route.transit',
    "unit_value_per_kg > 1e9",
    "unit_value_per_kg == unit_value_per_kg",
    "value / net_mass_kg >= 0",
    "-duty_at_risk < -100 and duty_rate != 0",
    "1 < net_mass_kg <= 500",
    "importer.illicit_rate > 0.2 or importer.declarations == 0",
    "model.score > 0.4",
    "hs.older_edition == True",
    'hs.chapter == "85" and hs.heading != "8517"',
    'importer == "IMP0003" or declarant == "DEC001"',
    "duty_rate in [0.0, 8.0, 13.0]",
    "value + net_mass_kg - 3 > value * 0.5",
    'office > "20"',
    "exporter.illicit_rate >= declarant.illicit_rate",
    "ref.median_unit_value(hs6) > 20",
    "route.transit != False",
)


def _profiles(n: int, seed: int) -> list[risk.Profile]:
    rng = np.random.default_rng(seed)
    texts = list(HANDWRITTEN)
    for i in range(n - len(texts)):
        chapter = rng.choice(["85", "62", "94", "07", "22", "44", "69"])
        countries = ", ".join(f'"{c}"' for c in rng.choice(synthetic.COUNTRIES, 3))
        texts.append(
            [
                f'hs.chapter == "{chapter}" and origin in [{countries}]',
                f"unit_value_per_kg < {rng.uniform(0.5, 30):.2f} and duty_rate >= 5",
                f'importer == "IMP{rng.integers(0, 150):04d}" or value > {rng.uniform(1, 9e4):.0f}',
                f"importer.illicit_rate > {rng.uniform(0, 0.5):.3f} and departure != origin",
            ][i % 4]
        )
    return [
        risk.Profile(
            name=f"p{(i * 7919) % 1000:03d}",  # names out of order: hits are listed by name
            expression=text,
            weight=0.0 if i % 9 == 0 else float(rng.uniform(0.05, 0.6)),
            channel=("red" if i % 18 == 0 else "yellow") if i % 9 == 0 else None,
            reason=f"profile {i}",
        )
        for i, text in enumerate(texts)
    ]


def _flow(seed: int) -> pl.DataFrame:
    """Declarations of one to three items, some with odd values."""
    base = synthetic.declarations(600, seed=seed, start=dt.date(2021, 1, 1), days=20)
    rng = np.random.default_rng(seed)
    owner = np.minimum(np.arange(600) - rng.integers(0, 3, 600), np.arange(600)).clip(0)
    ids = base["declaration_id"].gather(owner)
    frame = base.with_columns(ids.alias("declaration_id"))
    frame = frame.with_columns(pl.int_range(pl.len()).over("declaration_id").alias("item_no") + 1)
    odd = rng.random(600)
    return frame.with_columns(
        pl.when(odd < 0.03).then(0.0).otherwise(pl.col("net_mass_kg")).alias("net_mass_kg"),
        pl.when(odd < 0.02)
        .then(0.0)
        .when(odd > 0.98)
        .then(None)
        .otherwise(pl.col("value"))
        .alias("value"),
        pl.when(odd > 0.96)
        .then(pl.lit("NEW"))
        .otherwise(pl.col("importer_id"))
        .alias("importer_id"),
        pl.when((odd > 0.5) & (odd < 0.53))
        .then(pl.lit(None, dtype=pl.Utf8))
        .otherwise(pl.col("origin_country"))
        .alias("origin_country"),
        pl.when((odd > 0.6) & (odd < 0.63))
        .then(pl.lit("hs_older_edition"))
        .otherwise(pl.col("flags"))
        .alias("flags"),
    )


@pytest.mark.parametrize("seed", [21, 22, 23])
def test_one_row_path_equals_the_flow_path(small_model: risk.RiskModel, seed: int) -> None:
    frame = _flow(seed)
    compiled = risk.compile_profiles(_profiles(60, seed))
    items = risk.score_items(small_model, frame, compiled)
    flow = risk.scoring.to_declarations(items)
    scored_items, alone = score_rows(small_model, frame.to_dicts(), compiled)
    by_id = {d.declaration_id: d for d in alone}
    assert len(by_id) == flow.height == frame["declaration_id"].n_unique()
    fired = 0
    for row in flow.iter_rows(named=True):
        mine = by_id[row["declaration_id"]]
        assert mine.model_score == pytest.approx(row["model_score"], rel=1e-12)
        assert mine.risk == pytest.approx(row["risk"], rel=1e-12)
        assert mine.item == row["_item"]
        assert mine.profile_hits == sorted(row["profile_hits"] or [])
        assert mine.forced_channel == row["forced_channel"]
        fired += bool(mine.profile_hits)
    assert fired > flow.height / 4  # the profiles were exercised
    assert [s.hits for s in scored_items] == [tuple(h) for h in items["profile_hits"].to_list()]


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return bool(a == b) or (a is None and b is None)


def test_one_row_features_equal_the_flow_features(small_model: risk.RiskModel) -> None:
    frame = _flow(24)
    joined = risk.features.transform(frame, small_model.state)
    scored, _ = score_rows(small_model, frame.to_dicts())
    for expected, got in zip(joined.select(small_model.features).iter_rows(), scored, strict=True):
        for name, value in zip(small_model.features, expected, strict=True):
            mine = got.row[name]
            if isinstance(value, float) and isinstance(mine, float):
                assert mine == pytest.approx(value, rel=1e-12, nan_ok=True), name
            else:
                assert _same(mine, value), (name, mine, value)


def test_row_conditions_equal_the_vectorised_ones(small_model: risk.RiskModel) -> None:
    frame = risk.model.featurize(small_model, _flow(25))
    frame = frame.with_columns(pl.Series("model_score", risk.predict(small_model, frame)))
    conditions = [c.condition for c in risk.compile_profiles(_profiles(80, 25))]
    expected = condition_hits(frame, conditions)
    rows = frame.to_dicts()
    got = np.array([[c.row(r) for c in conditions] for r in rows], dtype=bool)
    assert (got == expected).all()


@pytest.mark.parametrize(
    ("text", "row", "expected"),
    [
        ("value > 1 and net_mass_kg > 1", {"value": None, "net_mass_kg": 0.0}, False),
        ("not (value > 1 or net_mass_kg > 1)", {"value": None, "net_mass_kg": 0.0}, False),
        ("value > 1 or net_mass_kg < 1", {"value": None, "net_mass_kg": 0.0}, True),
        ("unit_value_per_kg > 1e300", {"_value": 0.0, "net_mass_kg": 0.0}, True),  # NaN on top
        ("unit_value_per_kg == unit_value_per_kg", {"_value": 0.0, "net_mass_kg": 0.0}, True),
        ("unit_value_per_kg > 1e300", {"_value": -1.0, "net_mass_kg": 0.0}, False),  # -inf
        ('origin not in ["CN"]', {"origin_country": None}, False),
    ],
)
def test_row_conditions_on_nulls_and_nans_match_polars(
    text: str, row: dict[str, Any], expected: bool
) -> None:
    compiled = risk.compile_expression(text)
    frame = pl.DataFrame(
        [row], schema={k: pl.Utf8 if k == "origin_country" else pl.Float64 for k in row}
    )
    assert condition_hits(frame, [compiled])[0, 0] == expected
    assert compiled.row(row) is expected
