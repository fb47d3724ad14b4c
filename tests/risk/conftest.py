"""Fixtures for the risk tests: a small synthetic history and a model trained on it (once)."""

from __future__ import annotations

import polars as pl
import pytest

from borderlink import risk
from tests.risk import synthetic


@pytest.fixture(scope="session")
def history() -> pl.DataFrame:
    return synthetic.declarations(3000, seed=1)


@pytest.fixture(scope="session")
def small_model(history: pl.DataFrame) -> risk.RiskModel:
    config = risk.ModelConfig(rounds=40, threads=1, validation_months=2)
    return risk.train(history, config)
