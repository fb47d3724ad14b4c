"""HTTP latency on loopback at a fixed request rate: p50/p99 of a read, through the whole stack.

Starts ``borderlink serve`` (uvicorn, one process) on a fresh SQLite node with N declarations,
then sends requests on an open-loop schedule (request i leaves at t0 + i/rate whether or not
earlier ones are done) and measures each latency from its scheduled time, so a slow server
cannot hide its queueing (no coordinated omission).

Endpoints: ``declaration`` (GET one declaration with items and parties, as an officer: token
lookup, need-to-know scoping, and an audit write for the nominal read), ``redacted`` (the same as
a liaison officer: no nominal data, so no audit write), ``health`` (the floor: routing only).

    python benchmarks/api.py --rate 500 --seconds 10 --endpoint declaration
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import resource
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from borderlink.services import accounts, open_node
from borderlink.services.access import Role
from borderlink.settings import Settings

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.surfaces import seed_declarations


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _prepare(folder: Path, declarations: int) -> tuple[str, dict[str, str], list[str]]:
    db = f"sqlite:///{folder / 'bench.db'}"
    node = open_node(Settings(environment="test", db=db, password_hashing="fast"))  # noqa: S106 - a cost
    office_a, _ = seed_declarations(node, n_per_office=declarations // 2)
    tokens = {}
    for name, role, office in (
        ("officer", Role.OFFICER, "OFA"),
        ("liaison", Role.LIAISON_OFFICER, None),
    ):
        accounts.add_user(
            node,
            username=name,
            password="bench password",  # noqa: S106 - a throwaway node
            role=role,
            office_id=office,
        )
        tokens[name] = accounts.create_token(node, username=name, name="bench").token
    node.engine.dispose()
    return db, tokens, office_a


async def _connection(
    port: int, token: str, queue: asyncio.Queue[tuple[int, float] | None], out: list[float]
) -> int:
    """One keep-alive HTTP/1.1 connection taking (path index, scheduled time) from the queue.

    A minimal client (a few microseconds a request), so the figures are the server's.
    """
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    errors = 0
    while (job := await queue.get()) is not None:
        path, scheduled = job
        writer.write(
            f"GET {_PATHS[path]} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            f"Authorization: Bearer {token}\r\n\r\n".encode()
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
    port: int, paths: list[str], token: str, rate: float, seconds: float, connections: int
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
    await asyncio.gather(*(_connection(port, token, queue, warm) for _ in range(connections)))
    workers = [
        asyncio.create_task(_connection(port, token, queue, latencies)) for _ in range(connections)
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


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rate", type=float, default=200.0, help="requests per second")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--declarations", type=int, default=1000)
    parser.add_argument("--connections", type=int, default=16, help="keep-alive connections")
    parser.add_argument(
        "--endpoint", choices=["declaration", "redacted", "health"], default="declaration"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="borderlink-bench-") as tmp:
        db, tokens, ids = _prepare(Path(tmp), args.declarations)
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
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    if httpx.get(f"{base}/api/v1/health").status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit("the server did not start")
                time.sleep(0.1)
            if args.endpoint == "health":
                paths, token = ["/api/v1/health"], tokens["officer"]
            else:
                random.seed(1)
                paths = [f"/api/v1/declarations/{i}" for i in random.sample(ids, len(ids))]
                token = tokens["officer" if args.endpoint == "declaration" else "liaison"]
            began = time.perf_counter()
            latencies, errors = asyncio.run(
                _load(port, paths, token, args.rate, args.seconds, args.connections)
            )
            elapsed = time.perf_counter() - began
        finally:
            server.terminate()
            server.wait(timeout=10)
    print(
        json.dumps(
            {
                "benchmark": "api",
                "endpoint": args.endpoint,
                "server": "borderlink serve (uvicorn, 1 process), SQLite",
                "target_rate": args.rate,
                "connections": args.connections,
                "requests": len(latencies),
                "achieved_rate": round(len(latencies) / elapsed, 1),
                "errors": errors,
                "p50_ms": round(_percentile(latencies, 0.50) * 1000, 2),
                "p99_ms": round(_percentile(latencies, 0.99) * 1000, 2),
                "max_ms": round(max(latencies) * 1000, 2),
                "client_peak_rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                "cpu_count": os.cpu_count(),
            }
        )
    )


if __name__ == "__main__":
    main()
