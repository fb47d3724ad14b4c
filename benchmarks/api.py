"""HTTP latency on loopback at a fixed request rate: p50/p99 of a read, through the whole stack.

Starts ``borderlink serve`` (uvicorn, ``--workers`` processes, default one) on a fresh SQLite node
with N declarations, then sends requests on an open-loop schedule (request i leaves at t0 + i/rate
whether or not earlier ones are done) and measures each latency from its scheduled time, so a slow
server cannot hide its queueing (no coordinated omission).

Endpoints: ``declaration`` (GET one declaration with items and parties, as an officer: token
lookup, need-to-know scoping, and an audit write for the nominal read), ``redacted`` (the same as
a liaison officer: no nominal data, so no audit write), ``health`` (the floor: routing only),
``score`` (POST ``/api/v1/risk/score/{id}`` as a risk analyst: single-declaration scoring with
the newest model. The prepare step stores synthetic declarations with inspection outcomes over
four months, trains a small LightGBM model on them with ``services.risk.train``, and stores
``--declarations`` new unscored declarations the load then rotates through. Scoring is not
cached: a repeated id is scored again in full and only its stored row is skipped by
ON CONFLICT DO NOTHING, so repeats cost the same minus one insert).

    python benchmarks/api.py --rate 500 --seconds 10 --endpoint declaration
    python benchmarks/api.py --rate 100 --seconds 10 --endpoint score
    python benchmarks/api.py --endpoint score --rate 100,200,500,1000 --workers 1,2,4 \\
        --seconds 5 --backend postgres

A list of rates and of worker counts sweeps them all (one server per worker count, each rate
for ``--seconds``: the run time is bounded by the arguments); ``runs`` holds one entry each.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import random
import resource
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from borderlink import risk
from borderlink.services import open_node
from borderlink.services.accounts import users as accounts
from borderlink.services.accounts.access import Principal, Role
from borderlink.services.risk import models as risk_models
from borderlink.settings import Settings

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.risk import synthetic
from tests.surfaces import seed_declarations

from ingest import drop_postgres, fresh_postgres  # benchmarks/ingest.py (the script's folder)

ADMIN = Principal.system("bench")

# The model the ``score`` endpoint uses: the risk tests' small config (a real LightGBM booster,
# fewer rounds than the package default, so the prepare step takes seconds).
SCORE_MODEL = risk.ModelConfig(rounds=30, threads=1, validation_months=1)
SCORE_HISTORY = 3000  # labelled declarations over 120 days from 2020-01-01


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _prepare(
    folder: Path, declarations: int, *, scoring: bool = False, db: str | None = None
) -> tuple[str, dict[str, str], list[str]]:
    db = db or f"sqlite:///{folder / 'bench.db'}"
    node = open_node(
        Settings(environment="test", db=db, data_dir=folder, password_hashing="fast")  # noqa: S106 - a cost
    )
    if scoring:
        history = synthetic.declarations(
            SCORE_HISTORY, seed=11, start=dt.date(2020, 1, 1), days=120
        )
        synthetic.store(node.engine, history)
        risk_models.train(node, Principal.system("bench"), config=SCORE_MODEL)
        new = synthetic.declarations(declarations, seed=12, start=dt.date(2020, 5, 4), days=5)
        synthetic.store(node.engine, new, with_outcomes=False)
        ids = new["declaration_id"].to_list()
    else:
        ids, _ = seed_declarations(node, n_per_office=declarations // 2)
    tokens = {}
    for name, role, office in (
        ("officer", Role.OFFICER, "OFA"),
        ("liaison", Role.LIAISON_OFFICER, None),
        ("analyst", Role.RISK_ANALYST, None),
    ):
        accounts.add_user(
            node,
            ADMIN,
            username=name,
            password="bench password",  # noqa: S106 - a throwaway node
            role=role,
            office_id=office,
        )
        tokens[name] = accounts.issue_token(
            node, ADMIN, username=name, name="bench", reason="benchmark"
        ).token
    node.engine.dispose()
    return db, tokens, ids


async def _connection(
    port: int,
    token: str,
    queue: asyncio.Queue[tuple[int, float] | None],
    out: list[float],
    method: str = "GET",
) -> int:
    """One keep-alive HTTP/1.1 connection taking (path index, scheduled time) from the queue.

    A minimal client (a few microseconds a request), so the figures are the server's.
    """
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    errors = 0
    while (job := await queue.get()) is not None:
        path, scheduled = job
        writer.write(
            f"{method} {_PATHS[path]} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            f"Authorization: Bearer {token}\r\nContent-Length: 0\r\n\r\n".encode()
        )
        head = await reader.readuntil(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        length = next(
            int(line.split(b":", 1)[1])
            for line in head.split(b"\r\n")
            if line.lower().startswith(b"content-length:")
        )
        await reader.readexactly(length)
        errors += status != 200
        out.append(time.perf_counter() - scheduled)
    writer.close()
    return errors


_PATHS: list[str] = []


async def _load(
    port: int,
    paths: list[str],
    token: str,
    rate: float,
    seconds: float,
    connections: int,
    method: str = "GET",
    on_start: Callable[[], None] | None = None,
) -> tuple[list[float], int]:
    """Open loop: request i is due at t0 + i/rate; its latency counts from then."""
    _PATHS[:] = paths
    latencies: list[float] = []
    warm: list[float] = []
    queue: asyncio.Queue[tuple[int, float] | None] = asyncio.Queue()
    for i in range(100):  # warm-up, not measured
        queue.put_nowait((i % len(paths), time.perf_counter()))
    for _ in range(connections):
        queue.put_nowait(None)
    await asyncio.gather(
        *(_connection(port, token, queue, warm, method) for _ in range(connections))
    )
    if on_start is not None:
        on_start()
    workers = [
        asyncio.create_task(_connection(port, token, queue, latencies, method))
        for _ in range(connections)
    ]
    start = time.perf_counter() + 0.05
    for i in range(int(rate * seconds)):
        due = start + i / rate
        await asyncio.sleep(max(0.0, due - time.perf_counter()))
        queue.put_nowait((i % len(paths), due))
    for _ in range(connections):
        queue.put_nowait(None)
    errors = sum(await asyncio.gather(*workers))
    return latencies, errors


def _cpu_seconds(pid: int) -> float | None:
    """User + system CPU so far of a process (all its threads) and its live children (uvicorn's
    workers), from /proc; None elsewhere."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return None
    own = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return own + sum(_cpu_seconds(int(child)) or 0.0 for child in children)


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _serve(db: str, tmp: str, workers: int) -> tuple[subprocess.Popen[bytes], str]:
    """``borderlink serve`` with ``workers`` processes, once it answers; (process, base URL)."""
    port = _free_port()
    env = {**os.environ, "BORDERLINK_DB": db, "BORDERLINK_DATA_DIR": tmp}
    server = subprocess.Popen(  # noqa: S603 - our own CLI with fixed arguments
        [
            sys.executable,
            "-c",
            "from borderlink.cli import main; main()",
            "serve",
            "--port",
            str(port),
            "--workers",
            str(workers),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180  # a busy shared machine starts processes slowly
    while True:
        try:
            if httpx.get(f"{base}/api/v1/health").status_code == 200:
                return server, base
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline or server.poll() is not None:
            server.terminate()
            _, err = server.communicate(timeout=10)
            raise SystemExit(f"the server did not start: {err.decode()[-2000:]}")
        time.sleep(0.1)


def _measure(
    args: argparse.Namespace,
    server: subprocess.Popen[bytes],
    port: int,
    tokens: dict[str, str],
    ids: list[str],
    rate: float,
) -> dict[str, Any]:
    """One open-loop run at ``rate`` against a running server: latencies and server CPU."""
    method = "GET"
    random.seed(1)
    if args.endpoint == "health":
        paths, token = ["/api/v1/health"], tokens["officer"]
    elif args.endpoint == "score":
        paths = [f"/api/v1/risk/score/{i}" for i in random.sample(ids, len(ids))]
        token, method = tokens["analyst"], "POST"
    else:
        paths = [f"/api/v1/declarations/{i}" for i in random.sample(ids, len(ids))]
        token = tokens["officer" if args.endpoint == "declaration" else "liaison"]
    marks: list[tuple[float, float | None, float]] = []  # (time, server CPU, client CPU)
    latencies, errors = asyncio.run(
        _load(
            port,
            paths,
            token,
            rate,
            args.seconds,
            args.connections,
            method,
            on_start=lambda: marks.append(
                (time.perf_counter(), _cpu_seconds(server.pid), time.process_time())
            ),
        )
    )
    cpu_end, client_end = _cpu_seconds(server.pid), time.process_time()
    began, cpu_start, client_start = marks[0]
    elapsed = time.perf_counter() - began
    cpu_ms = (
        None
        if cpu_start is None or cpu_end is None
        else round((cpu_end - cpu_start) * 1000 / max(1, len(latencies)), 3)
    )
    return {
        "target_rate": rate,
        "requests": len(latencies),
        "achieved_rate": round(len(latencies) / elapsed, 1),
        "errors": errors,
        "p50_ms": round(_percentile(latencies, 0.50) * 1000, 2),
        "p99_ms": round(_percentile(latencies, 0.99) * 1000, 2),
        "max_ms": round(max(latencies) * 1000, 2),
        "server_cpu_ms_per_request": cpu_ms,
        # the load generator shares the machine (the goal counts it in)
        "client_cpu_ms_per_request": round(
            (client_end - client_start) * 1000 / max(1, len(latencies)), 3
        ),
        "load_average_1m": round(os.getloadavg()[0], 2),
    }


def _numbers(text: str) -> list[float]:
    return [float(x) for x in text.split(",") if x.strip()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rate", default="200", help="requests per second; a list sweeps")
    parser.add_argument("--seconds", type=float, default=10.0, help="per rate and worker count")
    parser.add_argument("--declarations", type=int, default=1000)
    parser.add_argument("--connections", type=int, default=16, help="keep-alive connections")
    parser.add_argument(
        "--workers", default="1", help="server processes; a list (1,2,4) sweeps, one server each"
    )
    parser.add_argument("--backend", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--pg-url", default=Settings().test_postgres_url, help="admin URL")
    parser.add_argument("--pg-prefix", default="borderlink_bench", help="database name prefix")
    parser.add_argument(
        "--endpoint", choices=["declaration", "redacted", "health", "score"], default="declaration"
    )
    args = parser.parse_args()
    rates = _numbers(args.rate)
    worker_counts = [int(w) for w in _numbers(args.workers)]
    runs: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="borderlink-bench-") as tmp:
        pg_database = None
        if args.backend == "postgres":
            url, pg_database = fresh_postgres(args.pg_url, args.pg_prefix)
        try:
            db, tokens, ids = _prepare(
                Path(tmp),
                args.declarations,
                scoring=args.endpoint == "score",
                db=url if pg_database else None,
            )
            for workers in worker_counts:
                server, base = _serve(db, tmp, workers)
                try:
                    port = int(base.rsplit(":", 1)[1])
                    for rate in rates:
                        run = _measure(args, server, port, tokens, ids, rate)
                        runs.append({"workers": workers, **run})
                finally:
                    server.terminate()
                    server.wait(timeout=10)
        finally:
            if pg_database:
                drop_postgres(args.pg_url, pg_database)
    figures: dict[str, Any] = {
        "benchmark": "api",
        "endpoint": args.endpoint,
        "server": f"borderlink serve (uvicorn), {args.backend}",
        "connections": args.connections,
        "seconds_per_run": args.seconds,
    }
    if args.endpoint == "score":
        figures["model"] = (
            f"LightGBM rounds={SCORE_MODEL.rounds} threads={SCORE_MODEL.threads},"
            f" {SCORE_HISTORY} synthetic labelled declarations"
        )
        figures["distinct_ids"] = len(ids)
    figures["runs"] = runs
    if len(runs) == 1:  # one run: its figures at the top level too, as before
        figures.update(runs[0])
    figures["client_peak_rss_kb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    figures["cpu_count"] = os.cpu_count()
    figures["load_average"] = [round(x, 2) for x in os.getloadavg()]
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
