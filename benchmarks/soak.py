"""Soak: reads, writes and scores at a fixed rate against a real server on loopback, for a while.

Starts ``borderlink serve`` on a fresh node (SQLite by default) with a trained model and
declarations to read and score, then for ``--seconds`` sends, on an open-loop schedule (request i
leaves at t0 + i/rate, its latency counted from then), a mix of reads (GET a declaration as an
analyst), writes (POST one new declaration as an administrator: ingest, scoring on arrival and
routing) and scores (POST ``/risk/score/{id}`` as an analyst). It samples the server's resident
memory (RSS) as it goes: what a node that runs for days would keep growing is what this shows.

    python benchmarks/soak.py --seconds 600 --rate 50 [--trace]

``--trace`` starts ``tracemalloc`` in the server after the first fifth of the run and reports
what Python allocated after that and still holds at the end (``tracemalloc_growth``): if RSS
grows and this does not, the growth is outside Python's heap (SQLite's page caches, the
allocator's arenas, Polars/Arrow buffers). Tracing slows the server: its latencies are not
the untraced ones.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from api import _cpu_seconds, _free_port, _percentile, _prepare  # benchmarks/api.py
from borderlink.services import open_node
from borderlink.services.accounts import users as accounts
from borderlink.services.accounts.access import Principal, Role
from borderlink.settings import Settings

MIX = (("read", 0.6), ("write", 0.2), ("score", 0.2))
# The server, traced from its first SIGUSR1 (tracing from the start makes starting it take
# minutes); each SIGUSR1 then dumps a snapshot into $SOAK_SNAPSHOTS: what the second holds is
# what was allocated after the first and is still alive.
TRACED_SERVER = """
import itertools, os, signal, tracemalloc
taken = itertools.count()
def dump(*_):
    if not tracemalloc.is_tracing():
        tracemalloc.start(8)
    path = os.path.join(os.environ["SOAK_SNAPSHOTS"], f"{next(taken)}.snapshot")
    tracemalloc.take_snapshot().dump(path + ".part")
    os.replace(path + ".part", path)
signal.signal(signal.SIGUSR1, dump)
from borderlink.cli import main
main()
"""


async def _snapshot(pid: int, folder: Path, number: int) -> None:
    """Have the traced server dump snapshot ``number`` and wait until it is written."""
    os.kill(pid, signal.SIGUSR1)
    while not (folder / f"{number}.snapshot").exists():  # noqa: ASYNC110 - another process writes it
        await asyncio.sleep(0.2)


def _growth(folder: Path, top: int = 12) -> dict[str, Any]:
    """What Python allocated after the first snapshot and still holds at the second, by line."""
    last = tracemalloc.Snapshot.load(str(folder / "1.snapshot"))
    noise = [tracemalloc.Filter(False, tracemalloc.__file__), tracemalloc.Filter(False, "<*")]
    stats = last.filter_traces(noise).statistics("lineno")
    return {
        "python_heap_retained_mb": round(sum(s.size for s in stats) / 2**20, 2),
        "top_retained": [
            f"{s.traceback[0].filename}:{s.traceback[0].lineno} "
            f"{s.size / 1024:.0f} KiB ({s.count} blocks)"
            for s in stats[:top]
        ],
    }


def rss_mb(pid: int) -> float:
    """Resident memory of a process and its live children (uvicorn's workers), in MiB."""
    total = 0.0
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            total += int(line.split()[1]) / 1024
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return total + sum(rss_mb(int(child)) for child in children)


def _declaration(number: int) -> dict[str, Any]:
    return {
        "id": f"SOAK{number:08d}",
        "date": dt.date(2020, 5, 6).isoformat(),
        "office": "OFA",
        "parties": [{"id": f"IMP{number % 50}", "role": "importer"}],
        "items": [{"hs_code": "851713", "origin_country": "CN", "value": 100, "currency": "USD"}],
    }


def _request(kind: str, number: int, ids: list[str], tokens: dict[str, str]) -> dict[str, Any]:
    if kind == "read":
        path = f"/api/v1/declarations/{ids[number % len(ids)]}"
        return {"method": "GET", "url": path, "token": tokens["analyst"]}  # sees every office
    if kind == "score":
        path = f"/api/v1/risk/score/{ids[number % len(ids)]}"
        return {"method": "POST", "url": path, "token": tokens["analyst"]}
    body = [_declaration(number)]
    return {"method": "POST", "url": "/api/v1/declarations", "json": body, "token": tokens["clerk"]}


async def _run(
    args: argparse.Namespace,
    port: int,
    pid: int,
    ids: list[str],
    tokens: dict[str, str],
    snapshots: Path | None = None,
) -> dict[str, Any]:
    rng = random.Random(1)
    kinds = rng.choices(
        [k for k, _ in MIX], weights=[w for _, w in MIX], k=int(args.rate * args.seconds)
    )
    latencies: dict[str, list[float]] = {k: [] for k, _ in MIX}
    errors: dict[str, int] = {k: 0 for k, _ in MIX}
    samples: list[tuple[float, float]] = []
    statuses: dict[str, str] = {}  # one example answer per kind of failure
    limits = httpx.Limits(max_connections=args.connections)
    async with httpx.AsyncClient(
        base_url=f"http://127.0.0.1:{port}", limits=limits, timeout=60
    ) as client:

        async def one(number: int, kind: str, due: float) -> None:
            spec = _request(kind, number, ids, tokens)
            headers = {"Authorization": f"Bearer {spec.pop('token')}"}
            try:
                answer = await client.request(**spec, headers=headers)
                if answer.status_code >= 400:
                    errors[kind] += 1
                    statuses[f"{kind} {answer.status_code}"] = answer.text[:200]
            except httpx.HTTPError as error:
                errors[kind] += 1
                statuses[f"{kind} {type(error).__name__}"] = str(error)[:200]
            latencies[kind].append(time.perf_counter() - due)

        start = time.perf_counter() + 0.1
        samples.append((0.0, rss_mb(pid)))
        tasks = []
        for number, kind in enumerate(kinds):
            due = start + number / args.rate
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
            tasks.append(asyncio.create_task(one(number, kind, due)))
            if number % int(args.rate * 10) == 0 and number:
                samples.append((time.perf_counter() - start, rss_mb(pid)))
            if snapshots is not None and number == len(kinds) // 5:
                await _snapshot(pid, snapshots, 0)
        await asyncio.gather(*tasks)
        samples.append((time.perf_counter() - start, rss_mb(pid)))
        if snapshots is not None:
            await _snapshot(pid, snapshots, 1)
    everything = [value for values in latencies.values() for value in values]
    traced = {"tracemalloc_growth": _growth(snapshots)} if snapshots is not None else {}
    requests = len(everything)
    growth = samples[-1][1] - samples[0][1]
    return {
        "requests": requests,
        "errors": sum(errors.values()),
        "errors_by_kind": errors,
        "error_examples": statuses,
        "p50_ms": round(_percentile(everything, 0.50) * 1000, 1),
        "p99_ms": round(_percentile(everything, 0.99) * 1000, 1),
        "p99_ms_by_kind": {
            k: round(_percentile(v, 0.99) * 1000, 1) for k, v in latencies.items() if v
        },
        "server_rss_mb_start": round(samples[0][1], 1),
        "server_rss_mb_end": round(samples[-1][1], 1),
        "rss_growth_mb_per_10k_requests": round(growth * 10_000 / max(1, requests), 2),
        "rss_samples_mb": [round(mb, 1) for _, mb in samples],
        **traced,
    }


def _clerk_token(db: str, folder: Path) -> str:
    node = open_node(Settings(environment="test", db=db, data_dir=folder, password_hashing="fast"))  # noqa: S106 - a cost
    admin = Principal.system("soak")
    accounts.add_user(
        node,
        admin,
        username="clerk",
        password="soak password",  # noqa: S106 - a throwaway node
        role=Role.ADMINISTRATOR,
    )
    token = accounts.issue_token(node, admin, username="clerk", name="soak", reason="soak").token
    node.engine.dispose()
    return token


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=600.0)
    parser.add_argument("--rate", type=float, default=50.0, help="requests per second, all kinds")
    parser.add_argument("--declarations", type=int, default=500, help="to read and score")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--trace", action="store_true", help="tracemalloc the server (slower)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="borderlink-soak-") as tmp:
        folder = Path(tmp)
        db, tokens, ids = _prepare(folder, args.declarations, scoring=True)
        tokens["clerk"] = _clerk_token(db, folder)
        port = _free_port()
        snapshots = folder / "snapshots" if args.trace else None
        env = {**os.environ, "BORDERLINK_DB": db, "BORDERLINK_DATA_DIR": tmp}
        if snapshots is not None:
            snapshots.mkdir()
            env["SOAK_SNAPSHOTS"] = str(snapshots)
        code = TRACED_SERVER if args.trace else "from borderlink.cli import main; main()"
        server = subprocess.Popen(  # noqa: S603 - our own CLI with fixed arguments
            [
                sys.executable,
                "-c",
                code,
                "serve",
                "--port",
                str(port),
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=None if os.environ.get("SOAK_SERVER_LOG") else subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if httpx.get(f"http://127.0.0.1:{port}/api/v1/health").status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit("the server did not start")
                time.sleep(0.2)
            cpu_start = _cpu_seconds(server.pid)
            result = asyncio.run(_run(args, port, server.pid, ids, tokens, snapshots))
            cpu_end = _cpu_seconds(server.pid)
        finally:
            server.terminate()
            server.wait(timeout=30)
    cpu = None if cpu_start is None or cpu_end is None else round(cpu_end - cpu_start, 1)
    print(
        json.dumps(
            {
                "benchmark": "soak",
                "server": "borderlink serve (uvicorn, 1 process), sqlite"
                + (", under tracemalloc" if args.trace else ""),
                "seconds": args.seconds,
                "target_rate": args.rate,
                "mix": dict(MIX),
                **result,
                "server_cpu_seconds": cpu,
                "cpu_count": os.cpu_count(),
            }
        )
    )


if __name__ == "__main__":
    main()
