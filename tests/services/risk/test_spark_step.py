"""What Spark's executors run, without Spark: one partition of whole days scored as the
single-machine path scores each day (same quotas, same seeded draws), and the model carried as
its files (hash-checked on load)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import polars as pl
import pyarrow as pa  # type: ignore[import-untyped]  # no stubs: Arrow batches only
import pytest

from borderlink import risk
from borderlink.errors import IntegrityFailure
from borderlink.services.risk import spark_step
from tests.risk import synthetic

SMALL = risk.ModelConfig(rounds=20, threads=1, validation_months=1)
POLICY = risk.CapacityPolicy(0.05, 0.10, 0.10)


@dataclass(frozen=True)
class Broadcast:
    value: dict[str, bytes]


@pytest.fixture(scope="module")
def saved(tmp_path_factory: pytest.TempPathFactory) -> tuple[risk.RiskModel, Path]:
    history = synthetic.declarations(800, seed=41, start=dt.date(2020, 1, 1), days=90)
    model = risk.train(history, SMALL)
    return model, risk.save(model, tmp_path_factory.mktemp("models"))


def test_a_partition_of_days_is_scored_as_each_day_alone(
    saved: tuple[risk.RiskModel, Path],
) -> None:
    model, path = saved
    schema = spark_step.item_schema()
    new = synthetic.declarations(200, seed=42, start=dt.date(2020, 4, 10), days=3)
    items = spark_step.canonical(new, schema)
    days = sorted(items["declared_on"].unique().to_list())
    seeds = {day: 9 + i for i, day in enumerate(days)}
    shuffled = items.sample(fraction=1.0, shuffle=True, seed=1)  # Spark keeps no order
    batches = shuffled.to_arrow().to_batches(max_chunksize=64)
    out = list(
        spark_step.score_partition(
            iter(batches),
            model=Broadcast(spark_step.model_files(path)),
            profiles=[],
            policy=POLICY,
            seeds=seeds,
            schema=schema,
        )
    )
    assert [b.schema.field("declaration_id").type for b in out] == [pa.string()] * len(days)
    for day, batch in zip(days, out, strict=True):
        got = pl.from_arrow(batch)
        assert isinstance(got, pl.DataFrame)
        flow = items.filter(pl.col("declared_on") == day).sort("declaration_id", "item_no")
        expected = risk.score_flow(model, flow, policy=POLICY, seed=seeds[day])
        assert got.drop("declared_on").equals(
            expected.with_columns(pl.col("profile_hits").cast(pl.List(pl.String)))
        )


def test_the_model_travels_as_its_files_and_is_checked_on_arrival(
    saved: tuple[risk.RiskModel, Path],
) -> None:
    model, path = saved
    files = spark_step.model_files(path)
    assert spark_step.load_model(files).version == model.version
    tampered = dict(files) | {"booster.txt": files["booster.txt"] + b"\n"}
    with pytest.raises(IntegrityFailure):
        spark_step.load_model(tampered)
