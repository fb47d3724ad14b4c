"""The label-leakage guard: a row's history features never see its own label (out of fold),
months never see their own or later months (time scheme), and scoring rows are described by
training history only."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from borderlink.risk.features import (
    FeatureConfig,
    feature_names,
    prepare,
    training_features,
    transform,
)

TE = [n for n in feature_names() if n.startswith(("te_", "n_"))]


def _flip(frame: pl.DataFrame, where: pl.Expr) -> pl.DataFrame:
    return frame.with_columns(
        pl.when(where).then(~pl.col("illicit")).otherwise(pl.col("illicit")).alias("illicit")
    )


def test_time_scheme_uses_only_earlier_months(history: pl.DataFrame) -> None:
    config = FeatureConfig(scheme="time")
    cut = dt.date(2020, 7, 1)
    before, _ = training_features(history, config=config)
    after, _ = training_features(_flip(history, pl.col("declared_on") >= cut), config=config)
    month = pl.col("declared_on") < cut
    # rows up to June cannot see July onwards: identical features
    assert before.filter(month).select(TE).equals(after.filter(month).select(TE))
    # ... and the features are not constant: July onwards did change (the test can fail)
    assert not before.filter(~month).select(TE).equals(after.filter(~month).select(TE))


def test_time_scheme_never_sees_the_rows_own_month(history: pl.DataFrame) -> None:
    config = FeatureConfig(scheme="time")
    june = (pl.col("declared_on") >= dt.date(2020, 6, 1)) & (
        pl.col("declared_on") < dt.date(2020, 7, 1)
    )
    before, _ = training_features(history, config=config)
    after, _ = training_features(_flip(history, june), config=config)
    assert before.filter(june).select(TE).equals(after.filter(june).select(TE))


def test_kfold_scheme_never_sees_the_rows_own_fold(history: pl.DataFrame) -> None:
    config = FeatureConfig(scheme="kfold", folds=5, seed=3)
    ids = pl.col("declaration_id").hash(seed=config.seed) % config.folds
    before, _ = training_features(history, config=config)
    after, _ = training_features(_flip(history, ids == 2), config=config)
    fold = (ids == 2).alias("fold")
    flags = history.select(fold)["fold"]
    assert before.filter(flags).select(TE).equals(after.filter(flags).select(TE))
    assert not before.filter(~flags).select(TE).equals(after.filter(~flags).select(TE))


def test_scoring_rows_are_described_by_training_history_only(history: pl.DataFrame) -> None:
    train = history.filter(pl.col("declared_on") < dt.date(2020, 10, 1))
    new = history.filter(pl.col("declared_on") >= dt.date(2020, 10, 1))
    _, state = training_features(train)
    a = transform(new, state)
    b = transform(_flip(new, pl.lit(True)), state)
    names = feature_names()
    assert a.select(names).equals(b.select(names))
    assert a.height == new.height
    assert a["declaration_id"].to_list() == new["declaration_id"].to_list()  # order kept


def test_entity_rate_is_smoothed_toward_the_prior() -> None:
    rows = 40
    frame = pl.DataFrame(
        {
            "declaration_id": [f"d{i}" for i in range(rows)],
            "declared_on": [dt.date(2020, 1, 1)] * rows,
            "importer_id": ["A"] * 10 + ["B"] * 30,
            "hs_code": ["851713"] * rows,
            "value": [1.0] * rows,
            "net_mass_kg": [1.0] * rows,
            "illicit": [True] * 10 + [False] * 30,
        }
    )
    _, state = training_features(frame, config=FeatureConfig(smoothing=10))
    new = frame.head(1).with_columns(pl.lit("A").alias("importer_id"))
    out = transform(new, state)
    prior = 10 / 40
    assert out["te_importer"][0] == pytest.approx((10 + 10 * prior) / (10 + 10))
    assert out["n_importer"][0] == 10
    unseen = transform(new.with_columns(pl.lit("Z").alias("importer_id")), state)
    assert unseen["te_importer"][0] == pytest.approx(prior)
    assert unseen["n_importer"][0] == 0


def test_prepare_derives_unit_value_route_and_edition_flag() -> None:
    frame = pl.DataFrame(
        {
            "hs_code": ["851713", "851712"],
            "value": [100.0, 0.0],
            "net_mass_kg": [4.0, 1.0],
            "duty_rate": [8.0, 0.0],
            "origin_country": ["CN", "CN"],
            "departure_country": ["SG", "CN"],
            "flags": ["hs_older_edition", None],
        }
    )
    out = prepare(frame)
    assert out["hs4"].to_list() == ["8517", "8517"]
    assert out["log_unit_value"][0] == pytest.approx(3.2188758)  # log(25)
    assert out["log_unit_value"][1] is None
    assert out["route_transit"].to_list() == [True, False]
    assert out["hs_older_edition"].to_list() == [True, False]
