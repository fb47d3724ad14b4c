"""Reasons built as columns say exactly what the row-by-row path said: the same JSON text for
every declaration, on the same channels, scores and hits (``reasons_oracle`` is that path)."""

from __future__ import annotations

import datetime as dt
import json
import math

import numpy as np
import polars as pl
import pytest

from borderlink import risk
from borderlink.risk import explain, reasons
from borderlink.risk.scoring import ExplainMethod
from tests.risk import reasons_oracle, synthetic


def _profiles() -> list[risk.CompiledProfile]:
    return risk.compile_profiles(
        [
            risk.Profile(
                name="cheap",
                expression="unit_value_per_kg < 0.5 * ref.median_unit_value(hs6, origin)",
                weight=0.3,
                reason='unit value under half the usual: "cheap" \\ très bon marché\n(see note)',
            ),
            risk.Profile(
                name="cn-red",
                expression='origin == "CN" and value > 4000',
                channel="red",
                reason="large Chinese consignment",
            ),
            risk.Profile(
                name="any-yellow",
                expression="value > 0",
                weight=0.05,
                reason="everything, a little",
            ),
        ]
    )


def _flow(seed: int, n: int) -> pl.DataFrame:
    flow = synthetic.declarations(n, seed=seed, start=dt.date(2021, 1, 4), days=1)
    # several items per declaration, and party codes a JSON writer must escape
    return flow.with_columns(
        (pl.lit("D") + (pl.int_range(pl.len()) // 3).cast(pl.Utf8)).alias("declaration_id"),
        (pl.int_range(pl.len()) % 3 + 1).alias("item_no"),
        pl.when(pl.int_range(pl.len()) % 7 == 0)
        .then(pl.lit('IMP "ü\\\t'))
        .otherwise(pl.col("importer_id"))
        .alias("importer_id"),
    )


@pytest.mark.parametrize(("method", "n"), [("shap", 600), ("path", 1500), ("auto", 900)])
def test_column_reasons_are_the_row_by_row_reasons(
    small_model: risk.RiskModel, method: ExplainMethod, n: int
) -> None:
    compiled = _profiles()
    items = risk.score_items(small_model, _flow(11, n), compiled)
    decls = risk.assign_channels(risk.scoring.to_declarations(items), seed=4)
    new = risk.scoring.attach_reasons(small_model, items, decls, compiled, method=method)
    old = reasons_oracle.attach_reasons(small_model, items, decls, compiled, method=method)
    assert set(decls["selection"]) >= {"random", "risk", "profile", "none"}
    assert new["reasons"].null_count() == (decls["channel"] == "green").sum()
    assert new.drop("reasons").equals(old.drop("reasons"))  # channels, scores, hits
    # the reasons' JSON says the same (a message's key and params keep Polars' compact form)
    assert [_parsed(t) for t in new["reasons"]] == [_parsed(t) for t in old["reasons"]]
    sources = {r["source"] for text in new["reasons"].drop_nulls() for r in json.loads(text)}
    assert sources == {"random", "profile", "model"}


def _parsed(text: str | None) -> object:
    return None if text is None else json.loads(text)


def test_top_reasons_read_as_before(small_model: risk.RiskModel, history: pl.DataFrame) -> None:
    feats = risk.transform(history.tail(400), small_model.state)
    names = small_model.features
    families, _ = explain.family_matrix(names)
    rng = np.random.default_rng(3)
    grouped = rng.normal(0, 0.3, (feats.height, len(families)))
    grouped[rng.random(grouped.shape) < 0.3] = 0.0  # some families say nothing
    grouped[:50, :] = -np.abs(grouped[:50, :])  # nothing raises
    state = small_model.state
    for top, lowering in ((3, 2), (1, 0), (0, 3)):
        assert reasons.top_reasons(
            feats, grouped, names, state, top=top, lowering=lowering
        ) == reasons_oracle.top_reasons(feats, grouped, names, state, top=top, lowering=lowering)


def test_json_text_as_python_writes_it() -> None:
    texts = ['a"b\\c', "x\ny\tz\r\b\f", "".join(map(chr, range(40))), "é 中 \u2028", "", None]
    numbers = [0.1234, -0.05, 0.0, -0.0, 1e-4, None]
    frame = pl.DataFrame({"t": texts, "n": numbers})
    written = frame.select(
        reasons.json_object({"t": pl.col("t"), "n": pl.col("n"), "k": {"c": 1, "s": "ü"}})
    ).to_series()
    expected = [
        json.dumps({"t": t, "n": n, "k": {"c": 1, "s": "ü"}}, ensure_ascii=False)
        for t, n in zip(texts, frame["n"].to_list(), strict=True)
    ]
    assert written.to_list() == expected


def test_rounding_and_fixed_decimals_as_python() -> None:
    rng = np.random.default_rng(5)
    ties = np.array([0.125, 0.375, 0.03125, 0.00015, 2.675, 1.005, 0.5, 0.0, -0.0, -0.004])
    values = np.concatenate([rng.normal(0, 1, 20_000), rng.random(20_000), ties])
    assert reasons.rounded(values, 4).tolist() == [round(float(v), 4) for v in values]
    odd = np.array([math.nan, math.inf, -math.inf, -0.001, -1.5, 1.0, 0.995, 0.005])
    values = np.concatenate([values, odd])
    assert reasons.fixed(values, 2).to_list() == [f"{v:.2f}" for v in values]
