"""Trader linking on Splink's Spark backend: the same settings and training as on DuckDB find
the same planted duplicates (Jaro-Winkler from Splink's jar on the session), and the service's
``engine="spark"`` stores the same clusters as a DuckDB run (slow: a Spark session)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import polars as pl
import pytest
from sqlalchemy import select

from borderlink.screening import linking
from borderlink.services import Node
from borderlink.services.accounts.access import Principal
from borderlink.services.node import open_node
from borderlink.services.risk.spark import spark_session
from borderlink.services.screening import linking as link_service
from borderlink.settings import Settings
from borderlink.store.screening_tables import trader_clusters
from tests.screening.test_linking import synthetic
from tests.services.screening.test_linking import seed_traders
from tests.spark_present import require_spark

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

pytestmark = pytest.mark.slow
ADMIN = Principal.system("test")


@pytest.fixture(scope="module")
def spark(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SparkSession]:
    require_spark("Splink's Spark backend")
    # The node's own session (the jars it configures included), held open for the module:
    # inside it, the service's spark_session reuses it rather than starting another.
    settings = Settings(environment="test", data_dir=tmp_path_factory.mktemp("spark"))
    with spark_session(open_node(settings), "local[2]") as session:
        yield session


def _strong(pairs: pl.DataFrame) -> set[tuple[str, str]]:
    strong = pairs.filter(pl.col("probability") >= linking.THRESHOLD)
    return set(strong.select("left", "right").iter_rows())


def test_spark_finds_the_same_planted_duplicates_as_duckdb(spark: SparkSession) -> None:
    raw, truth = synthetic(400, 8)
    records = linking.trader_records(raw)
    on_duckdb, _ = linking.predict(records)
    on_spark, trained = linking.predict(records, spark=spark)
    assert "u: random sampling" in trained.steps
    found = _strong(on_spark)
    assert len(found & truth) / len(truth) >= 0.8
    assert len(found & truth) / max(len(found), 1) >= 0.8
    # u is estimated from a random sample of pairs, drawn differently by each backend: the
    # decisions agree, the probabilities only closely.
    expected = _strong(on_duckdb)
    assert len(found ^ expected) <= max(2, len(expected) // 20), found ^ expected


def test_the_service_on_spark_stores_the_clusters_duckdb_finds(
    node: Node, spark: SparkSession
) -> None:
    seed_traders(node)

    def clusters() -> set[frozenset[str]]:
        with node.read() as conn:
            rows = conn.execute(select(trader_clusters.c.cluster_id, trader_clusters.c.record_key))
            groups: dict[str, set[str]] = {}
            for cluster_id, key in rows:
                groups.setdefault(cluster_id, set()).add(key)
        return {frozenset(g) for g in groups.values() if len(g) > 1}

    on_duckdb = link_service.link_traders(node, ADMIN)
    first = clusters()
    on_spark = link_service.link_traders(node, ADMIN, engine="spark")
    assert on_spark.run_id == on_duckdb.run_id + 1
    assert on_spark.records == on_duckdb.records == 152
    assert first
    assert clusters() == first
