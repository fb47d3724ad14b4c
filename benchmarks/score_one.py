"""CPU of one declaration scored on demand, in process, and where it goes.

Prepares a SQLite node as ``benchmarks/api.py --endpoint score`` does (a small LightGBM model
trained on synthetic labelled history, ``--declarations`` new ones to score), saves
``--profiles`` active profiles (those of ``benchmarks/score.py``), then calls
``services.risk.score.score_many`` for one declaration at a time, ``--scores`` times, after a
warm-up. Prints CPU milliseconds per score (``process_time``: the machine may be shared), the
same for the steps of the use case (each timed where ``score_many`` calls it), the one-row
scoring core alone (``risk.single.score_rows``) and peak memory, as one JSON object on the
last line.

    python benchmarks/score_one.py --profiles 50 --scores 300
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import json
import os
import resource
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import api  # benchmarks/api.py (the script's folder): the same prepared node
import score as flow_bench  # benchmarks/score.py: the same generated profiles
from borderlink import risk
from borderlink.services import open_node
from borderlink.services.accounts.access import Principal
from borderlink.services.risk import models as risk_models
from borderlink.services.risk import profiles as profile_service
from borderlink.services.risk import score as service
from borderlink.services.risk._store import read_items
from borderlink.settings import Settings

STEPS = (
    "read_item_rows",
    "load_model",
    "compiled_active",
    "thresholds",
    "_score_rows",
    "alerts_in_force",
    "apply_alerts",
    "apply_screening",
    "compiled_rules",
    "store_scores",
    "store_hits",
    "route_scored",
)


def _timed(spent: dict[str, float], name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(function)
    def run(*args: Any, **kwargs: Any) -> Any:
        start = time.process_time()
        try:
            return function(*args, **kwargs)
        finally:
            spent[name] += time.process_time() - start

    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--declarations", type=int, default=600)
    parser.add_argument("--profiles", type=int, default=50)
    parser.add_argument("--scores", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="borderlink-score-one-") as tmp:
        db, _, ids = api._prepare(Path(tmp), args.declarations, scoring=True)
        settings = Settings(environment="test", db=db, data_dir=tmp, password_hashing="fast")  # noqa: S106 - a cost
        node = open_node(settings)
        actor = Principal.system("bench")
        for profile in flow_bench.profiles(args.profiles, seed=7):
            profile_service.save_profile(node, actor, profile)
        spent: dict[str, float] = dict.fromkeys(STEPS, 0.0)
        for name in STEPS:
            setattr(service, name, _timed(spent, name, getattr(service, name)))
        for i in range(args.warmup):
            service.score_many(node, actor, [ids[i % len(ids)]])
        spent.update(dict.fromkeys(STEPS, 0.0))
        chosen = [ids[(args.warmup + i) % len(ids)] for i in range(args.scores)]
        start = time.process_time()
        channels: Counter[str] = Counter()
        for declaration_id in chosen:
            found = service.score_many(node, actor, [declaration_id])
            channels.update(r["channel"] for r in found.values())
        per_score = (time.process_time() - start) * 1000 / args.scores
        model = risk_models.load_model(node)
        compiled = profile_service.compiled_active(node, dt.datetime.now(dt.UTC).date())
        items = [read_items(node, declaration_ids=[i]).to_dicts() for i in chosen[:100]]
        start = time.process_time()
        for rows in items:
            risk.single.score_rows(model, rows, compiled)
        core = (time.process_time() - start) * 1000 / len(items)
        node.engine.dispose()
    print(
        json.dumps(
            {
                "benchmark": "score_one",
                "profiles": args.profiles,
                "scores": args.scores,
                "channels": dict(channels),  # a flagged one costs its reasons too
                "cpu_ms_per_score": round(per_score, 3),
                "steps_cpu_ms_per_score": {
                    k: round(v * 1000 / args.scores, 3) for k, v in spent.items()
                },
                "one_row_core_cpu_ms": round(core, 3),
                "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
                "cpu_count": os.cpu_count(),
                "load_average": [round(x, 2) for x in os.getloadavg()],
            }
        )
    )


if __name__ == "__main__":
    main()
