"""The batch scoring step on Spark (``mapInArrow``, the model broadcast) against Polars.

Generates ``--rows`` synthetic item rows over ``--days`` days (canonical columns, planted
risk), trains a model on a synthetic history, writes the rows to Parquet (a file per day, as a
SQLite node's export), then scores them twice with the same pure step,
:func:`borderlink.risk.scoring.score_flow` per day: once in this process (Polars, the flows two
at a time as ``risk score`` runs them) and once on Spark (``--master``, ``local[2]`` by default)
reading the Parquet files. Spark on two cores is not expected to win: the point is that the
same step runs unchanged on a cluster. Checks both gave the same channels.

    python benchmarks/spark.py --rows 1000000
    python benchmarks/spark.py --rows 10000000 --days 60

The last line is one JSON object: rows/s for each engine (the Spark figure with and without the
session start), peak memory of this process (the driver), ``nproc`` and the load average.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import sys
import tempfile
import time
from functools import partial
from pathlib import Path

import numpy as np
import polars as pl

from borderlink import risk
from borderlink.risk.scoring import score_flows
from borderlink.services.risk import spark_step

HS = np.array(["851713", "851762", "620822", "940350", "071080", "220429", "440890", "690722"])
COUNTRIES = np.array(["CN", "VN", "DE", "US", "IT", "BE", "SG", "TH"])


def items(n: int, *, seed: int, start: dt.date, days: int) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    importer = rng.zipf(1.3, n) % 20_000
    hs = rng.integers(0, len(HS), n)
    origin = rng.integers(0, len(COUNTRIES), n)
    departure = np.where(rng.random(n) < 0.15, rng.integers(0, len(COUNTRIES), n), origin)
    under = rng.random(n) < 0.08
    mass = np.exp(rng.normal(4, 1, n))
    value = mass * 5.0 * (hs + 1) * np.exp(rng.normal(0, 0.3, n)) * np.where(under, 0.2, 1.0)
    logit = -2.6 + 3.0 * (importer % 97 == 0) + 2.5 * under + 0.8 * (departure != origin)
    illicit = rng.random(n) < 1 / (1 + np.exp(-logit))
    schema = spark_step.item_schema()
    frame = pl.DataFrame(
        {
            "declaration_id": np.char.add(f"S{seed}-", np.arange(n).astype(str)),
            "declared_on": [start + dt.timedelta(days=int(d)) for d in rng.integers(0, days, n)],
            "declaration_type": "IM",
            "office_id": np.char.add("O", (rng.zipf(1.6, n) % 40).astype(str)),
            "procedure": "B",
            "transport_mode": "40",
            "departure_country": COUNTRIES[departure],
            "importer_id": np.char.add("IMP", importer.astype(str)),
            "exporter_id": np.char.add("EXP", rng.integers(0, 5000, n).astype(str)),
            "declarant_id": np.char.add("DCL", rng.integers(0, 300, n).astype(str)),
            "item_no": 1,
            "hs_code": HS[hs],
            "hs_code_current": HS[hs],
            "hs_edition": "HS2022",
            "origin_country": COUNTRIES[origin],
            "net_mass_kg": mass,
            "value": value,
            "currency": "USD",
            "illicit": illicit,
        }
    )
    return spark_step.canonical(frame, schema).sort("declared_on", "declaration_id", "item_no")


def polars_run(
    model: risk.RiskModel, folder: Path, policy: risk.CapacityPolicy
) -> tuple[float, dict[str, int]]:
    files = sorted(folder.glob("*.parquet"))
    start = time.perf_counter()
    flows = (pl.read_parquet(p) for p in files)
    channels: dict[str, int] = {}
    for out in score_flows(model, flows, policy=policy, seed=1):
        for name, n in out["channel"].value_counts().iter_rows():
            channels[name] = channels.get(name, 0) + n
    return time.perf_counter() - start, channels


def spark_run(
    model_dir: Path, folder: Path, policy: risk.CapacityPolicy, master: str, days: list[dt.date]
) -> tuple[float, float, dict[str, int]]:
    from pyspark.sql import SparkSession

    start = time.perf_counter()
    spark = (
        SparkSession.builder.master(master)
        .config("spark.ui.enabled", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.driver.memory", "4g")
        .getOrCreate()
    )
    spark.sparkContext.pythonExec = sys.executable
    started = time.perf_counter()
    step = partial(
        spark_step.score_partition,
        model=spark.sparkContext.broadcast(spark_step.model_files(model_dir)),
        profiles=[],
        policy=policy,
        seeds={day: 1 + i for i, day in enumerate(days)},
        schema=spark_step.item_schema(),
    )
    frame = spark.read.parquet(str(folder))
    scored = frame.repartition(min(len(days), 8), "declared_on").mapInArrow(
        step, spark_step.OUTPUT_SCHEMA
    )
    rows = scored.groupBy("channel").count().collect()
    done = time.perf_counter()
    spark.stop()
    return done - start, done - started, {r["channel"]: int(r["count"]) for r in rows}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--history", type=int, default=200_000)
    parser.add_argument("--master", default="local[2]")
    args = parser.parse_args()
    policy = risk.CapacityPolicy(0.05, 0.10, 0.10)
    with tempfile.TemporaryDirectory(prefix="borderlink-bench-spark-") as tmp:
        folder = Path(tmp)
        history = items(args.history, seed=1, start=dt.date(2024, 1, 1), days=90)
        model = risk.train(history, risk.ModelConfig(validation_months=0))
        model_dir = risk.save(model, folder / "models")
        del history
        data = folder / "items"
        data.mkdir()
        start = dt.date(2024, 4, 1)
        for n, part in enumerate(range(0, args.rows, 1_000_000)):  # generated in bounded memory
            rows = min(1_000_000, args.rows - part)
            frame = items(rows, seed=100 + n, start=start, days=args.days)
            for (day,), flow in frame.partition_by("declared_on", as_dict=True).items():
                flow.write_parquet(data / f"{day}-{n:03d}.parquet")
        # One file per day for the Polars flows (what a day's read gives it).
        days = sorted({dt.date.fromisoformat(p.name[:10]) for p in data.glob("*.parquet")})
        daily = folder / "daily"
        daily.mkdir()
        for day in days:
            parts = sorted(data.glob(f"{day}-*.parquet"))
            pl.concat([pl.read_parquet(p) for p in parts]).sort(
                "declaration_id", "item_no"
            ).write_parquet(daily / f"{day}.parquet")
        polars_s, polars_channels = polars_run(model, daily, policy)
        spark_s, spark_work_s, spark_channels = spark_run(
            model_dir, daily, policy, args.master, days
        )
    print(
        json.dumps(
            {
                "rows": args.rows,
                "days": len(days),
                "polars_rows_per_s": round(args.rows / polars_s),
                "polars_s": round(polars_s, 1),
                "spark_master": args.master,
                "spark_rows_per_s": round(args.rows / spark_work_s),
                "spark_s": round(spark_work_s, 1),
                "spark_with_start_s": round(spark_s, 1),
                "same_channels": polars_channels == spark_channels,
                "channels": polars_channels,
                "driver_peak_rss_mb": round(
                    resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1
                ),
                "nproc": os.cpu_count(),
                "loadavg": [round(x, 2) for x in os.getloadavg()],
            }
        )
    )


if __name__ == "__main__":
    main()
