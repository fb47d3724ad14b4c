"""Reference data: load times, the snapshot every ingest starts with, and currency conversion.

Loads the public files (HS 2022, HS 2017, the HS correlation table, UN/LOCODE) into a node,
twice (the second load must change nothing), builds the snapshot, and converts N values with
``convert_frame``. Prints the figures as one JSON object on its last line.

    python benchmarks/refdata.py --data ../shared/data --rows 1000000 [--db URL]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import polars as pl

from borderlink.refdata import convert_frame
from borderlink.services import open_node
from borderlink.services.accounts.access import Principal
from borderlink.services.refdata import load as service
from borderlink.settings import Settings

BENCH = Principal.system("bench")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "data"
    )
    parser.add_argument("--rows", type=int, default=1_000_000, help="values to convert")
    parser.add_argument("--db", help="database URL (default: a temporary SQLite file)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        db = args.db or f"sqlite:///{Path(tmp) / 'bench.db'}"
        node = open_node(Settings(db=db, data_dir=Path(tmp)))
        rates = Path(tmp) / "rates.csv"
        days = [dt.date(2020, 1, 1) + dt.timedelta(days=d) for d in range(0, 366, 7)]
        rates.write_text(
            "currency,valid_from,rate\n"
            + "".join(f"{c},{d},{r}\n" for d in days for c, r in (("KRW", 0.00085), ("EUR", 1.1)))
        )
        hs = args.data / "hs"
        loads: list[tuple[str, Callable[[], int]]] = [
            ("hs2022", lambda: service.load_hs(node, BENCH, hs / "hs2022.csv")),
            ("hs2017", lambda: service.load_hs(node, BENCH, hs / "hs2017.csv")),
            (
                "correlation",
                lambda: service.load_correlation(node, BENCH, hs / "hs2022-hs2017-correlation.csv"),
            ),
            ("rates", lambda: service.load_rates(node, BENCH, rates)),
            (
                "locode",
                lambda: service.load_locations(
                    node, BENCH, args.data / "un-locode" / "code-list-2025-1.csv"
                ),
            ),
        ]
        figures: dict[str, object] = {"backend": node.engine.dialect.name}
        for name, load in loads:
            for attempt in ("first", "again"):
                start = time.perf_counter()
                rows = load()
                figures[f"load_{name}_{attempt}_s"] = round(time.perf_counter() - start, 3)
            figures[f"load_{name}_rows"] = rows

        timings = []
        for _ in range(3):
            start = time.perf_counter()
            refdata = service.snapshot(node)
            timings.append(time.perf_counter() - start)
        figures["snapshot_s"] = round(min(timings), 3)
        figures["snapshot_locations"] = len(refdata.locations or ())

        rng = np.random.default_rng(7)
        frame = pl.DataFrame(
            {
                "value": rng.uniform(1, 1e6, args.rows),
                "currency": rng.choice(["KRW", "EUR", "USD", "JPY"], args.rows),
                "declared_on": pl.Series(
                    rng.integers(18_200, 18_700, args.rows), dtype=pl.Int32
                ).cast(pl.Date),
            }
        )
        start = time.perf_counter()
        converted = convert_frame(frame, refdata)
        seconds = time.perf_counter() - start
        figures["convert_rows"] = args.rows
        figures["convert_rows_per_s"] = round(args.rows / seconds)
        figures["converted_non_null"] = converted["value_reporting"].is_not_null().sum()
        node.engine.dispose()

    figures["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    figures["cpu_count"] = os.cpu_count()
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
