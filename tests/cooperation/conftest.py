"""Fixtures for the cooperation tests: a sample seizure and alert issued by node A."""

from __future__ import annotations

import pytest

from borderlink.model import Alert, Seizure
from tests.coop_samples import sample_alert, sample_seizure


@pytest.fixture
def seizure() -> Seizure:
    return sample_seizure()


@pytest.fixture
def alert() -> Alert:
    return sample_alert()
