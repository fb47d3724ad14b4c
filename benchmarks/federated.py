"""Learning across countries without sharing declarations, measured on the public KCS data.

The Korea Customs synthetic data (train: 2020, valid: 2021-Q1; never a test split) is split into
three "countries" by customs office: A (office 40), B (office 20) and C (every other office).
Importers and declarants are domestic: their ids are made country-specific, so no identity is
linked across a border. C keeps only the latest ``--share`` of its 2020 history (a young
administration). Every model is scored on C's own 2021-Q1 declarations:

- ``alone``: C's model on its own short history;
- ``shared_stats``: C's model with A's and B's shared statistics as features
  (:mod:`borderlink.risk.shared_stats`: exporter, HS, origin and route illicit rates and
  unit-value references, k-anonymous and with Laplace noise for ``--epsilon``);
- ``federated``: federated gradient-boosted trees by bagging (each country trains on its own
  data over the features that mean the same everywhere; the trees travel, C averages the
  three models' scores on its own rows), also with the shared statistics;
- ``pooled``: the upper bound, all three countries' rows in one place.

Reports P@5%, P@10% and AUC per row, the share of the alone-to-pooled gap each recovers, the
timings, peak memory and CPU count; the last line is one JSON object.

    python benchmarks/federated.py [--data ../shared/data/customs-declarations] [--share 0.1]
        [--k 5] [--epsilon 1.0] [--rounds 200] [--threads 2]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import lightgbm as lgb
import numpy as np
import polars as pl

from borderlink.refdata import builtin
from borderlink.risk import evaluate, features
from borderlink.risk.model import DEFAULT_PARAMS
from borderlink.risk.shared_stats import SharedStats, SharingPolicy, add_features, compute
from borderlink.risk.shared_stats import feature_names as shared_names
from borderlink.services.risk.evaluation import read_file, with_hs_files

ROWS = ("shared_stats", "federated", "federated_shared_stats")
DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "customs-declarations"
COUNTRIES = {"40": "A", "20": "B"}  # every other office: C
DOMESTIC = ("importer_id", "declarant_id")
# Entities whose history means the same in every country (no domestic trader, no office).
PORTABLE = (
    "exporter",
    "carrier",
    "hs6",
    "hs4",
    "origin",
    "departure",
    "hs6_x_origin",
    "exporter_x_hs6",
)


def load(data: Path, hs: Path) -> tuple[pl.DataFrame, pl.DataFrame]:
    refdata = with_hs_files(builtin(), [hs]) if hs.exists() else builtin()
    frames = [read_file(data / name, "kcs", refdata).frame for name in ("train.csv", "valid.csv")]
    return _countries(frames[0]), _countries(frames[1])


def _countries(frame: pl.DataFrame) -> pl.DataFrame:
    country = (
        pl.col("office_id").cast(pl.Utf8).replace_strict(COUNTRIES, default="C").alias("country")
    )
    out = frame.with_columns(country)
    return out.with_columns(
        (pl.col("country") + ":" + pl.col(c).cast(pl.Utf8)).alias(c) for c in DOMESTIC
    )


def short_history(frame: pl.DataFrame, share: float) -> pl.DataFrame:
    """The latest ``share`` of the rows, by declaration date."""
    dates = frame["declared_on"].cast(pl.Date).sort()
    cut = dates[int(len(dates) * (1 - share))]
    return frame.filter(pl.col("declared_on").cast(pl.Date) >= cut)


class Model:
    """LightGBM over BorderLink's features (out of fold), optionally with shared statistics."""

    def __init__(
        self,
        train: pl.DataFrame,
        args: argparse.Namespace,
        *,
        shared: Sequence[SharedStats] = (),
        entities: tuple[str, ...] | None = None,
    ) -> None:
        default = features.FeatureConfig()
        self.config = features.FeatureConfig(entities=entities or default.entities)
        self.shared = list(shared)
        x, self.state = features.training_features(train, config=self.config)
        self.names = features.feature_names(self.config) + shared_names(self.shared)
        params = dict(DEFAULT_PARAMS) | {"num_threads": args.threads}
        dataset = lgb.Dataset(
            self._matrix(x),
            label=x["illicit"].cast(pl.Float64).fill_null(0.0).to_numpy(),
            feature_name=self.names,
            categorical_feature=features.categorical_feature_names(),
        )
        self.booster = lgb.train(params, dataset, num_boost_round=args.rounds)

    def _matrix(self, x: pl.DataFrame) -> np.ndarray[Any, np.dtype[np.float64]]:
        if self.shared:
            x = add_features(x, self.shared)
        return np.ascontiguousarray(x.select(self.names).to_numpy(), dtype=np.float64)

    def score(self, rows: pl.DataFrame) -> np.ndarray[Any, np.dtype[np.float64]]:
        return np.asarray(self.booster.predict(self._matrix(features.transform(rows, self.state))))


def _ranks(scores: np.ndarray[Any, np.dtype[np.float64]]) -> np.ndarray[Any, np.dtype[np.float64]]:
    return np.argsort(np.argsort(scores)).astype(np.float64) / max(len(scores) - 1, 1)


def measure(rows: pl.DataFrame, scores: np.ndarray[Any, np.dtype[np.float64]]) -> dict[str, float]:
    """Declaration-level P@5%, P@10% and AUC (a declaration's score: its riskiest item's)."""
    per = (
        rows.select("declaration_id", pl.col("illicit").cast(pl.Int8))
        .with_columns(pl.Series("score", scores))
        .group_by("declaration_id")
        .agg(pl.col("illicit").max(), pl.col("score").max())
    )
    found = evaluate.report(per["illicit"].to_numpy(), per["score"].to_numpy(), percents=(5, 10))
    precision = found["precision_at"]
    assert isinstance(precision, dict)
    return {"p_at_5": precision["5"], "p_at_10": precision["10"], "auc": float(str(found["auc"]))}


def run(args: argparse.Namespace) -> dict[str, Any]:
    started = time.perf_counter()
    train, valid = load(args.data, args.hs)
    by = {c: train.filter(pl.col("country") == c) for c in "ABC"}
    small = short_history(by["C"], args.share)
    target = valid.filter(pl.col("country") == "C")
    policy = SharingPolicy(k=args.k, epsilon=args.epsilon)
    shared = [compute(by[c], node=c, policy=policy, seed=args.seed + i) for i, c in enumerate("AB")]
    timings: dict[str, float] = {}
    scores: dict[str, np.ndarray[Any, np.dtype[np.float64]]] = {}

    def timed(name: str, make: Any) -> None:
        t = time.perf_counter()
        scores[name] = make()
        timings[name] = round(time.perf_counter() - t, 1)

    wanted = set(args.rows.split(","))
    timed("alone", lambda: Model(small, args).score(target))
    if "shared_stats" in wanted:
        timed("shared_stats", lambda: Model(small, args, shared=shared).score(target))

    def federated(with_stats: bool) -> np.ndarray[Any, np.dtype[np.float64]]:
        stats = shared if with_stats else []
        local = {"A": by["A"], "B": by["B"], "C": small}
        models = [Model(local[c], args, shared=stats, entities=PORTABLE) for c in "ABC"]
        # C's own full model carries its domestic history; the partners' trees what travels.
        own = Model(small, args, shared=stats)
        ranked = [_ranks(m.score(target)) for m in [*models, own]]
        return np.asarray(np.mean(ranked, axis=0), dtype=np.float64)

    if "federated" in wanted:
        timed("federated", lambda: federated(False))
    if "federated_shared_stats" in wanted:
        timed("federated_shared_stats", lambda: federated(True))
    pooled = pl.concat([by["A"], by["B"], small], how="diagonal_relaxed")
    timed("pooled", lambda: Model(pooled, args).score(target))
    rows = {name: measure(target, s) for name, s in scores.items()}
    gap = rows["pooled"]["p_at_10"] - rows["alone"]["p_at_10"]
    for name, row in rows.items():
        row["gap_recovered_p10"] = (
            round((row["p_at_10"] - rows["alone"]["p_at_10"]) / gap, 3) if gap else 0.0
        )
        row["seconds"] = timings[name]
    return {
        "benchmark": "federated",
        "countries": {c: by[c].height for c in "ABC"},
        "small_country_train_rows": small.height,
        "small_country_valid_rows": target.height,
        "share": args.share,
        "k": args.k,
        "epsilon": args.epsilon,
        "suppressed_keys": {s.node: sum(s.suppressed.values()) for s in shared},
        "published_keys": {
            s.node: sum(t.height for t in (*s.rates.values(), *s.references.values()))
            for s in shared
        },
        "rows": rows,
        "seconds": round(time.perf_counter() - started, 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "cpu_count": os.cpu_count(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--hs", type=Path, default=DEFAULT_DATA.parent / "hs" / "hs2017.csv")
    parser.add_argument("--share", type=float, default=0.1, help="C's share of its history")
    parser.add_argument("--k", type=int, default=5, help="k-anonymity threshold")
    parser.add_argument("--epsilon", type=float, default=1.0, help="DP budget of a release")
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument(
        "--rows",
        default=",".join(ROWS),
        help="Rows to measure besides alone and pooled (comma-separated)",
    )
    args = parser.parse_args()
    result = run(args)
    for name, row in result["rows"].items():
        figures = f"P@5% {row['p_at_5']:.3f}  P@10% {row['p_at_10']:.3f}  AUC {row['auc']:.3f}"
        print(f"{name:24} {figures}  gap recovered {row['gap_recovered_p10']:+.2f}")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
