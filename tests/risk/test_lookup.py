"""The lookup path gives the frame the join path gives, for seen, unseen and odd rows."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from borderlink import risk
from borderlink.risk.features import FeatureConfig, fit_state, transform
from borderlink.risk.lookup import build_index, transform_small
from tests.risk import synthetic


def _odd_rows(frame: pl.DataFrame) -> pl.DataFrame:
    """Rows with keys never seen in training, missing values and non-positive numbers."""
    rows = frame.head(6).with_columns(
        pl.Series("importer_id", ["NEW1", None, "IMP0001", "", "NEW2", "IMP0002"]),
        pl.Series("hs_code_current", ["999999", None, "010121", "", "010121", "87"]),
        pl.Series("origin_country", ["ZZ", "CN", None, "CN", "", "KR"]),
        pl.Series("net_mass_kg", [0.0, None, -1.0, 5.0, 1e-300, 3.0]),
        pl.Series("value", [10.0, 5.0, None, 0.0, 1e300, 7.0]),
        pl.Series("office_id", ["99", None, "10", "10", "20", "30"]),
    )
    return rows


@pytest.mark.parametrize("seed", [3, 4])
def test_lookups_equal_joins(history: pl.DataFrame, seed: int) -> None:
    state = fit_state(risk.features.prepare(history))
    fresh = synthetic.declarations(200, seed=seed, start=dt.date(2021, 1, 1), days=30)
    frame = pl.concat([fresh, _odd_rows(fresh)])
    joined = transform(frame, state)
    looked_up = transform_small(frame, state, build_index(state))
    assert looked_up.columns == joined.columns
    assert_frame_equal(looked_up, joined, check_exact=False, rel_tol=1e-12)


def test_a_state_with_fewer_entities_and_no_history(history: pl.DataFrame) -> None:
    config = FeatureConfig(entities=("importer", "hs6_x_origin"))
    state = fit_state(risk.features.prepare(history.head(0)), config=config)
    frame = history.head(5)
    assert_frame_equal(transform_small(frame, state, build_index(state)), transform(frame, state))


def test_a_model_scores_one_row_as_it_scores_it_in_a_flow(
    small_model: risk.RiskModel, history: pl.DataFrame
) -> None:
    flow = synthetic.declarations(400, seed=9, start=dt.date(2021, 2, 1), days=10)
    in_flow = risk.predict(
        small_model, risk.model.featurize(small_model, flow)
    )  # joins: > 256 rows
    alone = [
        risk.predict(small_model, risk.model.featurize(small_model, flow[i : i + 1]))[0]
        for i in range(0, 400, 37)
    ]
    np.testing.assert_allclose(alone, in_flow[::37], rtol=1e-12)
