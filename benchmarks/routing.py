"""Agency routing throughput: the active rules over goods items, pure and through the store.

Generates ``--items`` synthetic goods items (one or more per declaration, real HS 2022 codes of
the demo's chapters, origins and routes of the demo's world) and ``--rules`` rules (the built-in
example plus generated ones: an HS heading list and an origin list each, spread over a few
agencies). Then:

* ``pure``: :func:`borderlink.coordination.route` over the whole frame (items/s);
* ``store``: the items stored in a fresh SQLite file (or ``--db URL``), then
  ``services.routing.route_declarations`` twice: the first run refers (one transaction per
  day, each referral audited), the second finds everything referred already (idempotence).

Prints the figures as one JSON object on the last line.

    python benchmarks/routing.py --items 200000 --rules 200
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import tempfile
import time
from pathlib import Path

import numpy as np
import polars as pl

from borderlink import coordination
from borderlink.coordination import AgencyRule
from borderlink.demo.catalogue import COUNTRIES, hs_catalogue
from borderlink.services import open_node
from borderlink.services.accounts.access import Principal
from borderlink.services.coordination import agency_rules, routing
from borderlink.settings import Settings
from borderlink.store import declaration_writes

AGENCIES = ("health", "police", "environment", "product-safety", "standards")


def items(n: int, *, seed: int, days: int) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    codes = np.array(hs_catalogue().codes)
    countries = np.array([c.code for c in COUNTRIES])
    per = rng.integers(1, 4, n)  # goods items per declaration
    decl = np.repeat(np.arange(n), per)[:n]
    origin = rng.choice(countries, n)
    transit = rng.random(n) < 0.15
    return pl.DataFrame(
        {
            "declaration_id": np.char.add("R-", decl.astype(str)),
            "item_no": np.concatenate([np.arange(1, k + 1) for k in per])[:n],
            "declared_on": [dt.date(2026, 1, 1) + dt.timedelta(days=int(d % days)) for d in decl],
            "office_id": "SEA-01",
            "hs_code": rng.choice(codes, n),
            "origin_country": origin,
            "departure_country": np.where(transit, rng.choice(countries, n), origin),
            "net_mass_kg": np.exp(rng.normal(4, 1, n)),
            "value": np.exp(rng.normal(8, 1.5, n)),
        }
    )


def rules(k: int, *, seed: int) -> list[AgencyRule]:
    rng = np.random.default_rng(seed)
    out = coordination.read_rules_file(coordination.builtin_rules())
    headings = sorted({c[:4] for c in hs_catalogue().codes})
    countries = [c.code for c in COUNTRIES]
    for i in range(max(k - len(out), 0)):
        hs4 = ", ".join(f'"{h}"' for h in rng.choice(headings, 5, replace=False))
        where = ", ".join(f'"{c}"' for c in rng.choice(countries, 3, replace=False))
        out.append(
            AgencyRule(
                name=f"generated-{i}",
                agency=AGENCIES[i % len(AGENCIES)],
                condition=f"hs4 in [{hs4}] and origin in [{where}]",
                reason=f"generated rule {i}",
            )
        )
    return out


def store(url: str, frame: pl.DataFrame) -> None:
    node = open_node(Settings(environment="test", db=url), migrate=True)
    now = dt.datetime.now(dt.UTC)
    heads = frame.unique("declaration_id", keep="first").select(
        "declaration_id", "declared_on", "office_id", "departure_country"
    )
    with node.engine.begin() as conn:
        declaration_writes.insert_rows(
            conn,
            [{**r, "declaration_type": "IM", "created_at": now} for r in heads.to_dicts()],
            [
                {
                    **{k: r[k] for k in ("declaration_id", "item_no", "hs_code", "origin_country")},
                    "hs_code_current": r["hs_code"],
                    "hs_edition": "HS2022",
                    "net_mass_kg": r["net_mass_kg"],
                    "value": r["value"],
                    "row_hash": f"{r['declaration_id']}-{r['item_no']}",
                }
                for r in frame.to_dicts()
            ],
        )
    node.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--rules", type=int, default=100)
    parser.add_argument("--store-items", type=int, default=20_000, help="0: skip the store part")
    parser.add_argument("--days", type=int, default=20)
    parser.add_argument("--db", default=None, help="Database URL (default: a temporary SQLite)")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    frame = items(args.items, seed=args.seed, days=args.days)
    chosen = rules(args.rules, seed=args.seed)
    compiled = coordination.compile_rules(chosen)
    coordination.route(frame.head(100), compiled)  # warm-up
    started, cpu = time.perf_counter(), time.process_time()
    decisions = coordination.route(frame, compiled)
    pure_wall, pure_cpu = time.perf_counter() - started, time.process_time() - cpu
    result: dict[str, object] = {
        "items": frame.height,
        "declarations": frame["declaration_id"].n_unique(),
        "rules": len(compiled),
        "pure": {
            "referrals": decisions.height,
            "seconds": round(pure_wall, 3),
            "items_per_s": round(frame.height / pure_wall),
            "items_per_cpu_s": round(frame.height / max(pure_cpu, 1e-9)),
        },
    }
    if args.store_items:
        part = frame.head(args.store_items)
        with tempfile.TemporaryDirectory() as folder:
            url = args.db or f"sqlite:///{Path(folder) / 'routing.db'}"
            store(url, part)
            node = open_node(Settings(environment="test", db=url), migrate=False)
            agency_rules.save_rules(node, Principal.system("bench"), chosen)
            runs = []
            for _ in range(2):
                started = time.perf_counter()
                summary = routing.route_declarations(node, Principal.system("bench"))
                runs.append((time.perf_counter() - started, summary))
            node.engine.dispose()
        (first_s, first), (second_s, second) = runs
        result["store"] = {
            "backend": url.split(":", 1)[0],
            "items": part.height,
            "declarations": first.declarations,
            "referred": first.referred,
            "first_run_s": round(first_s, 3),
            "declarations_per_s": round(first.declarations / first_s),
            "second_run_referred": second.referred,
            "second_run_s": round(second_s, 3),
        }
    result["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    result["cpus"] = os.cpu_count()
    result["load_average"] = [round(x, 2) for x in os.getloadavg()]
    print(json.dumps(result))


if __name__ == "__main__":
    main()
