"""Ingest throughput: synthetic CSV → SQLite and → PostgreSQL, with full validation.

Generates the CSV once (timed on its own), then for each backend ingests it into a fresh
database in a subprocess (so the peak RSS reported is the ingest's own), and optionally ingests
the same file again (``--rerun``: every row a duplicate). The last line is one JSON object.
Wall-clock figures on a shared machine undercount; ``cpu_seconds`` (the ingest process's own
CPU time, not the database server's) shows how much of the wall time was ours.

    python benchmarks/ingest.py --items 100000 --backends sqlite,postgres --rerun
    python benchmarks/ingest.py --format wco-dm-xml --messages 100000 --backends sqlite

Each run also reports rows/s over each tenth of the file (does the rate hold as the tables
grow?). ``--plans`` (PostgreSQL) then runs EXPLAIN ANALYZE on the hot pages' queries (the queue
of the last day, a trader's last 30 days, the dashboard's last 7 days) over the database just
built, and reports the relations each read and its time. ``--pg-prefix`` names the database;
``--keep`` keeps it (its URL is in the JSON, ``"postgres": {"kept": URL}``), e.g. for
``tests/services/declarations/test_hot_plans_scale.py`` (``BORDERLINK_SCALE_DB=URL``).

``--scores`` (PostgreSQL) then gives the database the history the hot pages read: every
declaration a score from model ``bench-1`` (a tenth red, a tenth yellow), one in five a newer
one from ``bench-2``, and the outcomes the file recorded removed for its last
``--waiting-days`` days (those wait in the queue). It runs in SQL one month partition at a
time (the server's memory, not ours, bounded by a month), and is timed apart from the ingest.
These are synthetic figures for the plans, not the model's: ``borderlink risk score`` scores.

``--format wco-dm-xml`` generates ``--messages`` WCO DM 3.x DEC-DMS messages (two goods items
each) in one XML file instead, and reports messages/s as well as rows/s.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
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

from sqlalchemy import create_engine, delete, insert, text
from sqlalchemy.engine import make_url

from borderlink import demo as synth
from borderlink.demo import wco_dm
from borderlink.services.risk.waiting import COLUMNS as WAITING_COLUMNS
from borderlink.services.risk.waiting import waiting_rows
from borderlink.settings import Settings
from borderlink.store.risk_tables import waiting as waiting_table

ITEMS_PER_MESSAGE = 2  # in the generated WCO DM messages


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def server_cpu_seconds() -> float | None:
    """CPU time of the PostgreSQL server on this machine so far (the postmaster, its live
    backends, and the children it has reaped), or None where it cannot be read. Every client's
    work counts, not only ours: on a shared machine read it next to the load average."""
    tick = os.sysconf("SC_CLK_TCK")
    total, found = 0, False
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            name = stat.read_text().split("(", 1)[1].split(")", 1)[0]
        except OSError:
            continue
        if name not in ("postgres", "postmaster"):
            continue
        found = True
        parent = int(fields[1])
        total += int(fields[11]) + int(fields[12])  # utime, stime
        if parent == 1 or name == "postmaster":  # the postmaster: its reaped backends too
            total += int(fields[13]) + int(fields[14])
    return round(total / tick, 2) if found else None


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
        server = server_cpu_seconds()
        marks: list[tuple[int, float]] = [(0, started)]

        def progress(rows: int, marks: list[tuple[int, float]] = marks) -> None:
            marks.append((marks[-1][0] + rows, time.perf_counter()))

        summary = ingest_file(
            node,
            Principal.system("benchmark"),
            args.file,
            format=args.format,
            refdata=refdata,
            chunk_rows=args.chunk,
            progress=progress,
        )
        seconds = time.perf_counter() - started
        figures[run] = {
            "seconds": round(seconds, 2),
            "cpu_seconds": round(time.process_time() - cpu, 2),  # this process only, not the server
            "server_cpu_seconds": _since(server),
            "load_1min_after": round(os.getloadavg()[0], 2),
            "rows_per_s": round(summary.rows / seconds),
            "rows": summary.rows,
            "accepted": summary.accepted,
            "rejected": summary.rejected,
            "duplicates": summary.duplicates,
            # Does the rate hold as the tables grow? rows/s over each tenth of the file.
            "rows_per_s_by_tenth": by_tenth(marks),
        }
        if args.format == "wco-dm-xml":
            figures[run]["messages_per_s"] = round(summary.rows / ITEMS_PER_MESSAGE / seconds)
    figures["peak_rss_mb"] = round(peak_rss_mb(), 1)
    if args.scores and node.engine.dialect.name == "postgresql":
        figures["scores"] = fill_scores(node.engine, args.waiting_days)
    if args.plans and node.engine.dialect.name == "postgresql":
        figures["plans"] = hot_plans(node.engine)
    node.engine.dispose()
    print(json.dumps(figures))


SCORE_MONTH = [
    # Every declaration of the month scored by the older model, one in five again, later, by the
    # newer one (the hot pages read each one's newest). Channels from a hash of the id, so a
    # rerun gives the same ones.
    "INSERT INTO scores (declaration_id, model_version, score, risk, channel, selection, "
    "reasons, scored_at) SELECT declaration_id, 'bench-1', h, h, CASE WHEN h < 0.1 THEN 'red' "
    "WHEN h < 0.2 THEN 'yellow' ELSE 'green' END, 'risk', NULL, declared_on + time '08:00' "
    "FROM (SELECT declaration_id, declared_on, (abs(hashtext(declaration_id)) % 1000) / 1000.0 "
    "AS h FROM {month}) d ON CONFLICT DO NOTHING",
    "INSERT INTO scores (declaration_id, model_version, score, risk, channel, selection, "
    "reasons, scored_at) SELECT declaration_id, 'bench-2', h, h, CASE WHEN h < 0.15 THEN 'red' "
    "WHEN h < 0.25 THEN 'yellow' ELSE 'green' END, 'risk', NULL, declared_on + time '09:00' "
    "FROM (SELECT declaration_id, declared_on, (abs(hashtext(declaration_id || 'b')) % 1000) "
    "/ 1000.0 AS h FROM {month} WHERE abs(hashtext(declaration_id)) % 5 = 0) d "
    "ON CONFLICT DO NOTHING",
]


def fill_scores(engine: Any, waiting_days: int) -> dict[str, Any]:
    """Scores for every declaration, month partition by month partition (one transaction
    each), and no outcome for the last ``waiting_days`` days; the figures of the fill."""
    started, cpu = time.perf_counter(), time.process_time()
    with engine.connect() as conn:
        months = conn.execute(
            text(
                "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                "WHERE i.inhparent = 'declarations'::regclass ORDER BY c.relname"
            )
        ).scalars()
        months = list(months)
    for month in months:
        with engine.begin() as conn:
            for sql in SCORE_MONTH:
                conn.execute(text(sql.format(month=f'"{month}"')))
    with engine.begin() as conn:
        last = conn.execute(text("SELECT max(declared_on) FROM declaration_keys")).scalar_one()
        waiting = conn.execute(
            text(
                "DELETE FROM outcomes o USING declaration_keys k "
                "WHERE k.declaration_id = o.declaration_id AND k.declared_on > :since"
            ),
            {"since": last - dt.timedelta(days=waiting_days)},
        ).rowcount
        # What waits, as the application's writes would have kept it (set-based, in one go).
        conn.execute(delete(waiting_table))
        conn.execute(insert(waiting_table).from_select(WAITING_COLUMNS, waiting_rows("postgresql")))
        scored = conn.execute(text("SELECT count(*) FROM scores")).scalar_one()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM ANALYZE scores")
        conn.exec_driver_sql("VACUUM ANALYZE outcomes")
        conn.exec_driver_sql("VACUUM ANALYZE waiting")
    return {
        "seconds": round(time.perf_counter() - started, 2),
        "cpu_seconds": round(time.process_time() - cpu, 2),
        "scores": scored,
        "outcomes_removed": waiting,
        "months": len(months),
    }


def _since(before: float | None) -> float | None:
    after = server_cpu_seconds()
    return None if before is None or after is None else round(after - before, 2)


def _scans(plan: dict[str, Any]) -> list[str]:
    found = [f"{plan['Relation Name']}: {plan['Node Type']}"] if "Relation Name" in plan else []
    for child in plan.get("Plans", []):
        found += _scans(child)
    return found


def hot_plans(engine: Any) -> dict[str, Any]:
    """EXPLAIN ANALYZE of the hot pages' queries on the database just built: the relations each
    reads (partitions by name), how, and the time it took."""
    from borderlink.services.accounts.access import Principal
    from borderlink.services.declarations.read import DeclarationFilter, counts_query, list_queries
    from borderlink.services.risk.targeting import queue_query

    admin = Principal.system("benchmark")
    with engine.connect() as conn:
        conn.exec_driver_sql("ANALYZE")
        day = conn.execute(text("SELECT max(declared_on) FROM declaration_keys")).scalar_one()
        importer = conn.execute(
            text("SELECT importer_id FROM declarations WHERE declared_on = :d LIMIT 1"), {"d": day}
        ).scalar_one()
        month = dt.timedelta(days=30)
        trader = DeclarationFilter(importer_id=importer, declared_from=day - month, declared_to=day)
        queries = {
            "queue_of_a_day": queue_query(admin, day).limit(100),
            "trader_last_30_days": list_queries(admin, trader)[1].limit(50),
            "dashboard_7_days": counts_query(admin, since=day - dt.timedelta(days=6), until=day),
        }
        plans: dict[str, Any] = {}
        for name, query in queries.items():
            compiled = query.compile(conn, compile_kwargs={"render_postcompile": True})
            sql = f"EXPLAIN (ANALYZE, FORMAT JSON) {compiled.string}"
            [document] = conn.exec_driver_sql(sql, compiled.params).scalar_one()
            plans[name] = {
                "ms": round(document["Execution Time"], 1),
                "scans": sorted(set(_scans(document["Plan"]))),
            }
    return plans


def by_tenth(marks: list[tuple[int, float]]) -> list[int]:
    """Rows per second over each tenth of the rows, from (rows done, time) marks."""
    total = marks[-1][0]
    if total == 0 or len(marks) < 2:
        return []
    rates, start = [], marks[0]
    for tenth in range(1, 11):
        end = next(m for m in marks if m[0] >= total * tenth / 10)
        if end[0] > start[0] and end[1] > start[1]:
            rates.append(round((end[0] - start[0]) / (end[1] - start[1])))
            start = end
    return rates


def fresh_postgres(admin_url: str, prefix: str = "borderlink_bench") -> tuple[str, str]:
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
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
            url, dropped = fresh_postgres(args.pg_url, args.pg_prefix)
        except Exception as error:  # report an absent server, do not crash the run
            return {"error": f"{error.__class__.__name__}: {error}"}
    else:
        return {"error": f"unknown backend {backend}"}
    command = [sys.executable, __file__, "--worker", "--url", url, "--file", str(csv)]
    command += ["--chunk", str(args.chunk), "--format", args.format]
    command += ["--rerun"] if args.rerun else []
    command += ["--plans"] if args.plans else []
    command += ["--scores", "--waiting-days", str(args.waiting_days)] if args.scores else []
    try:
        done = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    finally:
        if dropped and not args.keep:
            drop_postgres(args.pg_url, dropped)
    if done.returncode != 0:
        return {"error": done.stderr.strip().splitlines()[-1] if done.stderr else "failed"}
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    if dropped and args.keep:
        result["kept"] = url
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
    parser.add_argument(
        "--pg-prefix", default="borderlink_bench", help="name prefix of the PostgreSQL database"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rerun", action="store_true", help="also ingest the file again")
    parser.add_argument(
        "--plans", action="store_true", help="PostgreSQL: EXPLAIN ANALYZE the hot pages' queries"
    )
    parser.add_argument(
        "--keep", action="store_true", help="PostgreSQL: keep the database (its URL is reported)"
    )
    parser.add_argument(
        "--scores",
        action="store_true",
        help="PostgreSQL: after ingest, synthetic scores for all and no outcome for the last days",
    )
    parser.add_argument("--waiting-days", type=int, default=14, help="with --scores")
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
