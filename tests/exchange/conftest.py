"""Fixtures for the exchange tests: sample records issued by node A (see coop_samples)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "cooperation"))
from borderlink.model import Alert, Seizure
from tests.coop_samples import agreement, sample_alert, sample_seizure


@pytest.fixture
def seizure() -> Seizure:
    return sample_seizure()


@pytest.fixture
def alert() -> Alert:
    return sample_alert()


@pytest.fixture
def make_agreement() -> Any:
    return agreement
