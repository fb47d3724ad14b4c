"""The targeting queue of every one waiting (no day) on an existing database, as the page runs
it: the count and the first page (100 rows), for the administrator and for one office's officer.

Reads only; point it at a database built by ``benchmarks/ingest.py --backends postgres --items
10000000 --scores --keep`` (migrated to ``0021_waiting`` or later):

    python benchmarks/queue_waiting.py --runs 5 \\
        --db postgresql+psycopg://postgres@127.0.0.1:5432/NAME

Prints per principal the wall and client CPU milliseconds of each run (count, page) and, last,
one JSON object with their ranges, the number waiting, the 1-minute load and ``nproc``.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from typing import Any

from sqlalchemy import create_engine, func, select, text

from borderlink.services.accounts.access import Principal, Role
from borderlink.services.risk.targeting import queue_query, waiting_scope


def _run(conn: Any, query: Any) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    conn.execute(query).all()
    return (time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    engine = create_engine(args.db)
    with engine.connect() as conn:
        waiting = conn.execute(text("SELECT count(*) FROM waiting")).scalar_one()
        office = conn.execute(
            text("SELECT office_id FROM waiting GROUP BY 1 ORDER BY count(*) DESC LIMIT 1")
        ).scalar_one()
    officer = Principal(user_id=7, username="officer", role=Role.OFFICER, office_id=office)
    figures: dict[str, Any] = {"waiting": waiting, "nproc": os.cpu_count()}
    for name, principal in (("admin", Principal.system("bench")), ("officer", officer)):
        base = queue_query(principal, None, engine.dialect.name)
        count = select(func.count()).select_from(waiting_scope(principal))  # as queue()
        runs: dict[str, list[tuple[float, float]]] = {"count": [], "page": []}
        with engine.connect() as conn:
            for _ in range(args.runs):
                runs["count"].append(_run(conn, count))
                runs["page"].append(_run(conn, base.limit(100)))
        for part, got in runs.items():
            walls, cpus = [w for w, _ in got], [c for _, c in got]
            print(name, part, [round(w, 1) for w in walls])
            figures[f"{name}_{part}_ms"] = [round(min(walls), 1), round(max(walls), 1)]
            figures[f"{name}_{part}_client_cpu_ms"] = [round(min(cpus), 1), round(max(cpus), 1)]
    figures["load_1m"] = os.getloadavg()[0]
    engine.dispose()
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
