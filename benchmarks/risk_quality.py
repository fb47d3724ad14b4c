"""Risk model quality on the public KCS data: train on train.csv (2020), report on valid.csv
(2021-Q1). Prints the evaluate command's JSON, plus timings, peak memory and CPU count, as one
JSON object on the last line.

    python benchmarks/risk_quality.py [--data ../shared/data/customs-declarations]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import time
from pathlib import Path

from borderlink.refdata import builtin
from borderlink.services.risk.evaluation import evaluate_files, with_hs_files

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "customs-declarations"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--hs", type=Path, default=DEFAULT_DATA.parent / "hs" / "hs2017.csv")
    args = parser.parse_args()
    start = time.perf_counter()
    # the 2020 data has HS 2017 codes: with that edition loaded every row is accepted (flagged)
    refdata = with_hs_files(builtin(), [args.hs])
    result = evaluate_files(
        [args.data / "train.csv"], args.data / "valid.csv", mapping="kcs", refdata=refdata
    )
    result["seconds"] = round(time.perf_counter() - start, 1)
    result["targets"] = {"precision_at_5": 0.88, "precision_at_10": 0.80, "auc": 0.86}
    result["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    result["cpu_count"] = os.cpu_count()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
