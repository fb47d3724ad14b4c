from __future__ import annotations

import numpy as np
import polars as pl

from borderlink import risk
from borderlink.risk import explain
from borderlink.risk.model import contributions, matrix
from borderlink.risk.paths import PathExplainer


def test_path_credits_add_up_to_the_raw_score_and_agree_with_shap(
    small_model: risk.RiskModel, history: pl.DataFrame
) -> None:
    feats = risk.transform(history.tail(300), small_model.state)
    x = matrix(small_model, feats)
    paths = PathExplainer(small_model.booster, small_model.features)
    credits = paths.grouped(small_model.booster, x)
    raw = small_model.booster.predict(x, raw_score=True)
    assert np.allclose(credits.sum(axis=1) + paths.bias, raw)
    shap = explain.group_contributions(contributions(small_model, feats), small_model.features)
    # the strongest reason is mostly the same one
    same_top = (credits.argmax(axis=1) == shap.argmax(axis=1)).mean()
    assert same_top > 0.6


def test_large_flows_use_path_credits(small_model: risk.RiskModel, history: pl.DataFrame) -> None:
    out = risk.score_flow(small_model, history.head(400), explain_method="path", seed=1)
    flagged = out.filter(pl.col("channel") != "green")
    assert flagged.height == 60
    assert all('"method": "path"' in r or '"source": "random"' in r for r in flagged["reasons"])
