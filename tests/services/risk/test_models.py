"""Training and loading models: the node's model cache is bounded and a retrain releases the
model it supersedes."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from borderlink import risk
from borderlink.errors import PermissionDenied
from borderlink.services import Node
from borderlink.services.accounts.access import Principal, Role
from borderlink.services.risk import models
from borderlink.services.runtime import Runtime
from tests.risk import synthetic

SMALL = risk.ModelConfig(rounds=10, threads=1, validation_months=1)
TESTER = Principal.system("tester")


def test_a_retrain_releases_its_predecessor_and_the_cache_stays_bounded(node: Node) -> None:
    history = synthetic.declarations(900, seed=31, start=dt.date(2020, 1, 1), days=120)
    synthetic.store(node.engine, history)
    node = dataclasses.replace(node, runtime=Runtime(model_cache_size=2))
    first = models.train(node, TESTER, until=dt.date(2020, 3, 1), config=SMALL)
    assert models.load_model(node).version == first.version
    assert node.runtime.models.keys() == [first.version]
    second = models.train(node, TESTER, until=dt.date(2020, 3, 31), config=SMALL)
    assert first.version not in node.runtime.models  # released by the retrain
    assert models.load_model(node).version == second.version
    third = models.train(node, TESTER, config=SMALL)
    for info in (first, second, third):  # each still loads by version, within the bound
        assert models.load_model(node, info.version).version == info.version
        assert len(node.runtime.models) <= 2
    assert node.runtime.models.keys() == [second.version, third.version]


def test_training_needs_models_manage(node: Node) -> None:
    officer = Principal(user_id=3, username="o", role=Role.OFFICER, office_id="A")
    with pytest.raises(PermissionDenied):
        models.train(node, officer, config=SMALL)
    with pytest.raises(PermissionDenied):
        models.list_models(node, Principal(user_id=4, username="a", role=Role.AUDITOR))
