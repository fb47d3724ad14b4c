"""Scoring throughput: rules (profiles) + model + channels + reasons for the flagged declarations.

Generates synthetic declarations in canonical columns (vectorised, planted risk), trains the
default model on a synthetic history, then scores ``--rows`` new declarations in flows of
``--chunk`` rows read lazily from Parquet (bounded memory), ``--workers`` flows at a time, once
without profiles and once with ``--profiles`` active profiles. Prints declarations/s (wall and
per CPU-second: the machine may be shared) for both, peak memory, the CPU count and the load
average as one JSON object on the last line.

    python benchmarks/score.py --rows 1000000 --profiles 500
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np
import polars as pl

from borderlink import risk

COUNTRIES = np.array(
    "CN VN DE US IT BE SG TH JP KR IN ID MY FR GB ES NL TR MX BR CA AU PL CZ AT CH SE DK".split()  # noqa: SIM905 - a compact list of codes
)


def declarations(n: int, *, seed: int, start: dt.date, days: int) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    hs_pool = np.array([f"{c:06d}" for c in rng.choice(np.arange(10_000, 970_000), 3000)])
    hs_base = np.exp(rng.normal(2.5, 1.5, len(hs_pool)))
    hs_i = rng.zipf(1.3, n) % len(hs_pool)
    importer = rng.zipf(1.2, n) % 60_000
    bad_importer = importer % 97 == 0
    origin = COUNTRIES[rng.zipf(1.5, n) % len(COUNTRIES)]
    transit = rng.random(n) < 0.15
    departure = np.where(transit, COUNTRIES[rng.integers(0, len(COUNTRIES), n)], origin)
    under = rng.random(n) < 0.08
    unit_value = hs_base[hs_i] * np.exp(rng.normal(0, 0.4, n)) * np.where(under, 0.2, 1.0)
    mass = np.exp(rng.normal(4, 1.5, n))
    logit = -2.6 + 3.0 * bad_importer + 2.5 * under + 0.8 * (departure != origin)
    illicit = rng.random(n) < 1 / (1 + np.exp(-logit))
    frame = pl.DataFrame(
        {
            "declaration_id": np.char.add(f"S{seed}-", np.arange(n).astype(str)),
            "day": rng.integers(0, days, n),
            "office_id": np.char.add("O", (rng.zipf(1.6, n) % 40).astype(str)),
            "procedure": "B",
            "import_type": np.char.add("T", (rng.zipf(1.8, n) % 20).astype(str)),
            "import_use": "21",
            "payment_type": np.char.add("P", (rng.zipf(2.0, n) % 8).astype(str)),
            "transport_mode": np.char.add("M", rng.integers(1, 6, n).astype(str)),
            "departure_country": departure,
            "declarant_id": np.char.add("D", (rng.zipf(1.3, n) % 1500).astype(str)),
            "importer_id": np.char.add("I", importer.astype(str)),
            "exporter_id": np.char.add("E", (rng.zipf(1.2, n) % 40_000).astype(str)),
            "item_no": 1,
            "hs_code": hs_pool[hs_i],
            "origin_country": origin,
            "net_mass_kg": mass,
            "value": mass * unit_value,
            "duty_rate": rng.choice([0.0, 3.0, 5.0, 8.0, 13.0], n),
            "duty_type": np.char.add("A", rng.integers(0, 5, n).astype(str)),
            "origin_marking": "Y",
            "flags": np.where(rng.random(n) < 0.03, "hs_older_edition", ""),
            "illicit": illicit,
        }
    )
    return frame.with_columns(
        (pl.lit(start) + pl.duration(days=pl.col("day"))).alias("declared_on"),
        pl.col("hs_code").alias("hs_code_current"),
    ).drop("day")


def profiles(n: int, seed: int) -> list[risk.Profile]:
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n):
        kind = i % 4
        chapter = f"{rng.integers(1, 97):02d}"
        countries = ", ".join(f'"{c}"' for c in rng.choice(COUNTRIES, 3, replace=False))
        if kind == 0:
            text = (
                f'hs.chapter == "{chapter}" and origin in [{countries}] and '
                f"unit_value_per_kg < {rng.uniform(0.2, 0.6):.2f} * "
                "ref.median_unit_value(hs6, origin)"
            )
        elif kind == 1:
            text = f'importer == "I{rng.integers(0, 60_000)}" or declarant == "D{i}"'
        elif kind == 2:
            text = f"duty_rate >= {rng.choice([5, 8, 13])} and departure != origin and value > 1e5"
        else:
            text = f'office == "O{rng.integers(0, 40)}" and importer.illicit_rate > 0.6'
        channel = "red" if i % 50 == 0 else None
        out.append(
            risk.Profile(
                name=f"bench-{i}",
                expression=text,
                weight=0.0 if channel else float(rng.uniform(0.05, 0.5)),
                channel=channel,
                reason=f"benchmark profile {i}",
            )
        )
    return out


def write_flows(directory: Path, rows: int, chunk: int) -> list[Path]:
    """The input: one Parquet file per flow of ``chunk`` declarations, written before timing."""
    paths = []
    for i, offset in enumerate(range(0, rows, chunk)):
        flow = declarations(
            min(chunk, rows - offset), seed=1000 + i, start=dt.date(2021, 2, 1), days=1
        )
        path = directory / f"flow-{i:04d}.parquet"
        flow.write_parquet(path)
        paths.append(path)
    return paths


def run(
    model: risk.RiskModel,
    paths: list[Path],
    compiled: list[risk.CompiledProfile],
    workers: int,
) -> tuple[float, float, int]:
    """Wall and CPU seconds to read and score every flow, and declarations flagged. Flows are
    read lazily, so only those being scored are in memory."""
    t0, c0 = time.perf_counter(), time.process_time()
    flows = (pl.read_parquet(path) for path in paths)
    flagged = 0
    for out in risk.scoring.score_flows(model, flows, compiled, seed=0, workers=workers):
        flagged += int(out["reasons"].is_not_null().sum())
    return time.perf_counter() - t0, time.process_time() - c0, flagged


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--chunk", type=int, default=100_000)
    parser.add_argument("--profiles", type=int, default=500)
    parser.add_argument("--history", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=2, help="flows scored at once")
    args = parser.parse_args()

    history = declarations(args.history, seed=1, start=dt.date(2020, 1, 1), days=366)
    t0 = time.perf_counter()
    model = risk.train(history, risk.ModelConfig(validation_months=0))
    train_s = time.perf_counter() - t0
    del history
    result: dict[str, object] = {
        "rows": args.rows,
        "chunk": args.chunk,
        "workers": args.workers,
        "model_trees": model.booster.num_trees(),
        "features": len(model.features),
        "train_s": round(train_s, 1),
    }
    workdir = Path(tempfile.mkdtemp(prefix="borderlink-score-"))
    paths = write_flows(workdir, args.rows, args.chunk)
    for label, n_profiles in (("no_profiles", 0), ("with_profiles", args.profiles)):
        compiled = risk.compile_profiles(profiles(n_profiles, seed=7))
        seconds, cpu, flagged = run(model, paths, compiled, args.workers)
        result[label] = {
            "profiles": n_profiles,
            "seconds": round(seconds, 2),
            "declarations_per_s": round(args.rows / seconds),
            "cpu_seconds": round(cpu, 2),
            "declarations_per_cpu_s": round(args.rows / cpu),
            "flagged_with_reasons": flagged,
        }
    shutil.rmtree(workdir)
    result["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    result["cpu_count"] = os.cpu_count()
    result["load_average"] = [round(x, 2) for x in os.getloadavg()]
    result["affinity_cpus"] = len(os.sched_getaffinity(0))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
