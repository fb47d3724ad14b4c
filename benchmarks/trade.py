"""Trade facilitation steps over synthetic flows: AEO benefits, the blue lane, time release.

Generates a scored day's flow of ``--declarations`` declarations (risk uniform, channels by the
default quotas, one item each, importers drawn from ``--importers``) and ``--trusted`` trusted
traders among the importers, then times (pure functions, no store):

* ``aeo``: :func:`borderlink.risk.aeo.apply_benefits` under quotas (declarations/s);
* ``blue``: :func:`borderlink.risk.blue.apply_blue` with a 5% share (declarations/s);
* ``time_release``: :func:`borderlink.coordination.time_release.time_release` by channel and
  by agency over the same flow with lodging, scoring, inspection and referral times.

Prints the figures as one JSON object on the last line (with the process's peak memory).

    python benchmarks/trade.py --declarations 1000000 --trusted 2000
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import time

import numpy as np
import polars as pl

from borderlink.coordination.time_release import time_release
from borderlink.model.aeo import Benefits, TrustedTrader
from borderlink.risk import CapacityPolicy, assign_channels
from borderlink.risk.aeo import apply_benefits
from borderlink.risk.blue import apply_blue

DAY = dt.date(2026, 11, 20)


def flow(n: int, importers: int, rng: np.random.Generator) -> tuple[pl.DataFrame, pl.DataFrame]:
    ids = [f"D{i:09d}" for i in range(n)]
    importer = [f"IMP{i:06d}" for i in rng.integers(0, importers, n)]
    scored = assign_channels(
        pl.DataFrame({"declaration_id": ids, "risk": rng.random(n)}), CapacityPolicy(), seed=1
    ).with_columns(
        pl.lit(None, pl.String).alias("reasons"),
        pl.lit([], pl.List(pl.String)).alias("profile_hits"),
    )
    items = pl.DataFrame({"declaration_id": ids, "declared_on": [DAY] * n, "importer_id": importer})
    return scored, items


def trusted(count: int) -> list[TrustedTrader]:
    benefits = Benefits(risk_weight=0.5, document_checks=0.5, priority_inspection=True)
    return [
        TrustedTrader(
            party_id=f"IMP{i:06d}",
            mra_id="AB-MRA",
            mra_title="Atlantis-Borduria MRA",
            programme="AEOF",
            status_id=f"identity--{i}",
            roles=("importer",),
            benefits=benefits,
            valid_from=dt.date(2026, 1, 1),
        )
        for i in range(count)
    ]


def timed_flow(scored: pl.DataFrame, rng: np.random.Generator) -> pl.DataFrame:
    n = scored.height
    start = dt.datetime(2026, 11, 20, 6, tzinfo=dt.UTC)
    hours = pl.duration(seconds=pl.lit(rng.exponential(3600, n)).cast(pl.Int64))
    held = pl.col("channel").is_in(["red", "yellow"])
    referred = pl.lit(rng.random(n) < 0.1)
    return scored.with_columns(
        pl.lit("OFA").alias("office_id"),
        pl.lit(False).alias("aeo"),
        pl.when(referred)
        .then(pl.lit(["health"]))
        .otherwise(pl.lit([], pl.List(pl.String)))
        .alias("agencies"),
        pl.lit(start).alias("arrived_at"),
        (pl.lit(start) + pl.duration(seconds=2)).alias("scored_at"),
        pl.when(held).then(pl.lit(start) + hours).alias("inspected_at"),
        pl.when(referred).then(pl.lit(start) + pl.duration(seconds=3)).alias("referred_at"),
        pl.lit(0).alias("referrals_open"),
        pl.when(referred).then(pl.lit(start) + hours * 2).alias("referrals_closed_at"),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--declarations", type=int, default=200_000)
    parser.add_argument("--importers", type=int, default=20_000)
    parser.add_argument("--trusted", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    scored, items = flow(args.declarations, args.importers, rng)
    figures: dict[str, object] = {
        "declarations": args.declarations,
        "trusted_traders": args.trusted,
        "cpus": os.cpu_count(),
    }
    began = time.perf_counter()
    out = apply_benefits(scored, items, trusted(args.trusted))
    seconds = time.perf_counter() - began
    figures["aeo_s"] = round(seconds, 3)
    figures["aeo_declarations_per_s"] = round(args.declarations / seconds)
    figures["aeo_green"] = int((out["channel"] == "green").sum())
    began = time.perf_counter()
    out = apply_blue(out, share=0.05)
    seconds = time.perf_counter() - began
    figures["blue_declarations_per_s"] = round(args.declarations / seconds)
    figures["blue"] = int((out["channel"] == "blue").sum())
    frame = timed_flow(out, rng)
    began = time.perf_counter()
    by_channel = time_release(frame, "channel")
    time_release(frame, "agency")
    figures["time_release_s"] = round(time.perf_counter() - began, 3)
    overall = by_channel[-1].stages["lodged_to_released"]
    figures["release_p50_hours"] = overall.p50_hours
    figures["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
