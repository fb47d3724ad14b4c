"""Ingest throughput: synthetic CSV → SQLite and → PostgreSQL, with full validation.

Generates the CSV once (timed on its own), then for each backend ingests it into a fresh
database in a subprocess (so the peak RSS reported is the ingest's own), and optionally ingests
the same file again (``--rerun``: every row a duplicate). The last line is one JSON object.
Wall-clock figures on a shared machine undercount; ``cpu_seconds`` (the ingest process's own
CPU time, not the database server's) shows how much of the wall time was ours.

    python benchmarks/ingest.py --items 100000 --backends sqlite,postgres --rerun
    python benchmarks/ingest.py --format wco-dm-xml --messages 100000 --backends sqlite

``--format wco-dm-xml`` generates ``--messages`` WCO DM 3.x DEC-DMS messages (two goods items
each) in one XML file instead, and reports messages/s as well as rows/s.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from borderlink import demo as synth
from borderlink.demo import wco_dm
from borderlink.settings import Settings

ITEMS_PER_MESSAGE = 2  # in the generated WCO DM messages


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def worker(args: argparse.Namespace) -> None:
    """Run in the subprocess: migrate, ingest (and re-ingest), print one JSON line."""
    from borderlink.services import open_node
    from borderlink.services.accounts.access import Principal
    from borderlink.services.ingest.files import ingest_file
    from borderlink.services.refdata.load import snapshot

    settings = Settings(db=args.url, data_dir=Path(args.file).parent, ingest_chunk_rows=args.chunk)
    node = open_node(settings, migrate=True)
    rates = synth.exchange_rates(settings.reporting_currency)
    refdata = dataclasses.replace(
        snapshot(node), rates={c: ((synth.DEFAULT_START, r),) for c, r in rates.items()}
    )
    figures: dict[str, Any] = {}
    runs = ["first", "rerun"] if args.rerun else ["first"]
    for run in runs:
        started, cpu = time.perf_counter(), time.process_time()
        summary = ingest_file(
            node,
            Principal.system("benchmark"),
            args.file,
            format=args.format,
            refdata=refdata,
            chunk_rows=args.chunk,
        )
        seconds = time.perf_counter() - started
        figures[run] = {
            "seconds": round(seconds, 2),
            "cpu_seconds": round(time.process_time() - cpu, 2),  # this process only, not the server
            "rows_per_s": round(summary.rows / seconds),
            "rows": summary.rows,
            "accepted": summary.accepted,
            "rejected": summary.rejected,
            "duplicates": summary.duplicates,
        }
        if args.format == "wco-dm-xml":
            figures[run]["messages_per_s"] = round(summary.rows / ITEMS_PER_MESSAGE / seconds)
    figures["peak_rss_mb"] = round(peak_rss_mb(), 1)
    node.engine.dispose()
    print(json.dumps(figures))


def fresh_postgres(admin_url: str) -> tuple[str, str]:
    name = f"borderlink_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False), name


def drop_postgres(admin_url: str, name: str) -> None:
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def run_backend(backend: str, args: argparse.Namespace, csv: Path, work: Path) -> dict[str, Any]:
    dropped: str | None = None
    if backend == "sqlite":
        db = work / "bench.db"
        db.unlink(missing_ok=True)
        url = f"sqlite:///{db}"
    elif backend == "postgres":
        try:
            url, dropped = fresh_postgres(args.pg_url)
        except Exception as error:  # report an absent server, do not crash the run
            return {"error": f"{error.__class__.__name__}: {error}"}
    else:
        return {"error": f"unknown backend {backend}"}
    command = [sys.executable, __file__, "--worker", "--url", url, "--file", str(csv)]
    command += ["--chunk", str(args.chunk), "--format", args.format]
    command += ["--rerun"] if args.rerun else []
    try:
        done = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    finally:
        if dropped:
            drop_postgres(args.pg_url, dropped)
    if done.returncode != 0:
        return {"error": done.stderr.strip().splitlines()[-1] if done.stderr else "failed"}
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    defaults = Settings()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--items", type=int, default=1_000_000, help="goods items (CSV rows)")
    parser.add_argument("--format", default="csv", choices=["csv", "wco-dm-xml"])
    parser.add_argument("--messages", type=int, default=100_000, help="WCO DM messages (XML)")
    parser.add_argument("--chunk", type=int, default=defaults.ingest_chunk_rows)
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--pg-url", default=defaults.test_postgres_url)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rerun", action="store_true", help="also ingest the file again")
    parser.add_argument("--dir", type=Path, default=None, help="work directory (default: tmp)")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args)
        return

    with tempfile.TemporaryDirectory(prefix="borderlink-bench-", dir=args.dir) as tmp:
        work = Path(tmp)
        started = time.perf_counter()
        if args.format == "wco-dm-xml":
            csv = work / "declarations.xml"
            with csv.open("wb") as out:
                wco_dm.write_messages(out, args.messages, items=ITEMS_PER_MESSAGE)
            items, declarations = args.messages * ITEMS_PER_MESSAGE, args.messages
        else:
            csv = work / "declarations.csv"
            written = synth.write_csv(csv, args.items, args.seed)
            items, declarations = written.items, written.declarations
        gen_seconds = time.perf_counter() - started
        figures: dict[str, Any] = {
            "format": args.format,
            "items": items,
            "declarations": declarations,
            "chunk": args.chunk,
            "cpu_count": os.cpu_count(),
            "generate": {
                "seconds": round(gen_seconds, 2),
                "items_per_s": round(items / gen_seconds),
                "file_mb": round(csv.stat().st_size / 2**20, 1),
                "peak_rss_mb": round(peak_rss_mb(), 1),
            },
        }
        print(
            f"generated {items:,} items ({declarations:,} declarations) "
            f"in {gen_seconds:.1f}s: {items / gen_seconds:,.0f} items/s",
            flush=True,
        )
        for backend in [b.strip() for b in args.backends.split(",") if b.strip()]:
            result = run_backend(backend, args, csv, work)
            figures[backend] = result
            if "error" in result:
                print(f"{backend}: error: {result['error']}", flush=True)
                continue
            for run in ("first", "rerun"):
                if run in result:
                    r = result[run]
                    print(
                        f"{backend} {run}: {r['rows_per_s']:,} rows/s, {r['seconds']}s "
                        f"({r['cpu_seconds']}s CPU), "
                        f"accepted {r['accepted']:,}, rejected {r['rejected']:,}, "
                        f"duplicates {r['duplicates']:,}; peak RSS {result['peak_rss_mb']} MB",
                        flush=True,
                    )
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
