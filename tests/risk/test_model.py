from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import polars as pl
import pytest

from borderlink import risk
from borderlink.errors import IntegrityFailure, InvalidInput
from borderlink.risk.evaluate import auc
from tests.risk import synthetic


def test_trained_model_learns_the_planted_signal(
    small_model: risk.RiskModel, history: pl.DataFrame
) -> None:
    new = synthetic.declarations(1500, seed=2, start=dt.date(2021, 1, 1), days=60)
    scores = risk.predict(small_model, risk.transform(new, small_model.state))
    assert auc(new["illicit"].to_numpy(), scores) > 0.7
    # time-aware: metrics come from the newest months held out
    assert small_model.metrics["validation"] == "last 2 month(s) held out"
    assert small_model.metrics["n_test"] < history.height
    assert small_model.trained_to == history["declared_on"].max()


def test_save_load_round_trip_and_hash(
    small_model: risk.RiskModel, history: pl.DataFrame, tmp_path: Path
) -> None:
    path = risk.save(small_model, tmp_path)
    assert small_model.version.startswith("rm-")
    assert len(small_model.sha256) == 64
    assert path.name == small_model.version
    loaded = risk.load(path)
    assert loaded.version == small_model.version
    assert loaded.features == small_model.features
    assert loaded.trained_from == small_model.trained_from
    sample = history.tail(200)
    before = risk.predict(small_model, risk.transform(sample, small_model.state))
    after = risk.predict(loaded, risk.transform(sample, loaded.state))
    assert (before == after).all()
    # saving the same model again gives the same version
    assert risk.save(small_model, tmp_path) == path
    meta = json.loads((path / "meta.json").read_text())
    assert meta["features"] == small_model.features


def test_tampered_model_is_refused(small_model: risk.RiskModel, tmp_path: Path) -> None:
    path = risk.save(small_model, tmp_path)
    booster = path / "booster.txt"
    booster.write_text(booster.read_text().replace("learning_rate", "learning_rate "))
    with pytest.raises(IntegrityFailure):
        risk.load(path)


def test_training_needs_labels(history: pl.DataFrame) -> None:
    with pytest.raises(InvalidInput):
        risk.train(history.drop("illicit"))
    with pytest.raises(InvalidInput):
        risk.train(history.with_columns(pl.lit(False).alias("illicit")))
