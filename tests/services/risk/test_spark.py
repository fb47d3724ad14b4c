"""The Spark engine gives the same channels, scores and reasons as the single-machine path on
the same data (``local[2]``; SQLite through the Parquet export, PostgreSQL over JDBC).

Skips without PySpark (``pip install 'borderlink[spark]'``) or Java, unless
``BORDERLINK_REQUIRE_SERVICES=1`` (``.ci/run`` installs the extra), where it fails.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import delete, select

from borderlink import risk
from borderlink.services import Node
from borderlink.services.accounts.access import Principal
from borderlink.services.risk import models
from borderlink.services.risk import profiles as profile_service
from borderlink.services.risk import score as service
from borderlink.services.risk.spark import score_batch_spark, spark_session, train_spark
from borderlink.store.risk_tables import profile_hits, scores
from tests.risk import synthetic
from tests.spark_present import require_spark

pytestmark = pytest.mark.slow

SMALL = risk.ModelConfig(rounds=20, threads=1, validation_months=1)
TESTER = Principal.system("tester")


@pytest.fixture(autouse=True)
def _spark_present() -> None:
    require_spark()


def _stored(node: Node) -> dict[str, tuple[Any, ...]]:
    query = select(
        scores.c.declaration_id,
        scores.c.score,
        scores.c.risk,
        scores.c.channel,
        scores.c.selection,
        scores.c.reasons,
    )
    with node.engine.connect() as conn:
        return {row[0]: tuple(row[1:]) for row in conn.execute(query)}


def _hits(node: Node) -> set[tuple[str, str]]:
    query = select(profile_hits.c.declaration_id, profile_hits.c.profile_name)
    with node.engine.connect() as conn:
        return {(row[0], row[1]) for row in conn.execute(query)}


def test_spark_trains_and_scores_as_the_single_machine_path(node: Node) -> None:
    history = synthetic.declarations(800, seed=31, start=dt.date(2020, 1, 1), days=90)
    synthetic.store(node.engine, history)
    single_model = models.train(node, TESTER, config=SMALL)
    new = synthetic.declarations(300, seed=32, start=dt.date(2020, 4, 10), days=4)
    synthetic.store(node.engine, new, with_outcomes=False)
    profile_service.save_profile(
        node,
        TESTER,
        risk.Profile(name="cn", expression='origin == "CN"', weight=0.2, reason="from CN"),
    )
    single = service.score_batch(node, TESTER, seed=5)
    expected, expected_hits = _stored(node), _hits(node)
    with node.engine.begin() as conn:
        conn.execute(delete(profile_hits))
        conn.execute(delete(scores))

    with spark_session(node, "local[2]"):  # one JVM for both steps
        spark_model = train_spark(node, TESTER, config=SMALL)
        spark = score_batch_spark(node, TESTER, seed=5, version=single.model_version)

    # Training read the same rows (LightGBM's own runs differ in their last bits, so the
    # versions, hashes of the files, do too).
    assert spark_model.n_train == single_model.n_train == 800
    assert (spark_model.trained_from, spark_model.trained_to) == (
        single_model.trained_from,
        single_model.trained_to,
    )
    assert spark.scored == single.scored == 300
    assert spark.channels == single.channels
    found = _stored(node)
    assert found.keys() == expected.keys()
    for declaration_id, (score, risk_, channel, selection, reasons) in expected.items():
        got = found[declaration_id]
        assert got[0] == pytest.approx(score, abs=1e-12)
        assert got[1] == pytest.approx(risk_, abs=1e-12)
        assert got[2:] == (channel, selection, reasons), declaration_id
    assert _hits(node) == expected_hits
