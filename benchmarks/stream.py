"""Streaming intake: lodged → channel latency at a steady message rate, through NATS JetStream.

Builds a node (SQLite file, or ``--postgres URL``) with a synthetic history and a trained model,
starts ``borderlink ingest --from nats://.../SUBJECT`` in its own process (its CPU and memory are
reported apart), then publishes ``--rate`` declarations a second for ``--seconds`` on a fresh
stream, each message one wco-json declaration, and listens on the reply subject. Latency is
measured from just before the publish to the decision's arrival (both on this process's clock),
and also as the node saw it (the stream's lodging time to the decision's ``decided_at``).

    python benchmarks/stream.py --rate 500 --seconds 20
    python benchmarks/stream.py --rate 500 --seconds 20 --postgres postgresql+psycopg://postgres@127.0.0.1/bench

The last line is one JSON object: p50/p95/p99/max in ms, the rate reached, the consumer's CPU
seconds per message and peak memory, this process's peak memory, ``nproc`` and the load average.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import resource
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import nats
import numpy as np

from borderlink import risk
from borderlink.services import open_node
from borderlink.services.accounts.access import Principal
from borderlink.services.ingest.files import ingest_file
from borderlink.services.risk import models
from borderlink.settings import Settings

BENCH = Principal.system("bench")
HS = ["851713", "851762", "620822", "940350", "071080", "220429", "440890", "690722"]
COUNTRIES = ["CN", "VN", "DE", "US", "IT", "BE", "SG", "TH"]


def declarations(n: int, *, seed: int, start: dt.date, days: int) -> list[dict[str, Any]]:
    """wco-json declarations with a planted risk (bad importers, undervalued goods, transit)."""
    rng = np.random.default_rng(seed)
    importer = rng.integers(0, 300, n)
    hs = rng.integers(0, len(HS), n)
    origin = rng.integers(0, len(COUNTRIES), n)
    transit = rng.random(n) < 0.15
    departure = np.where(transit, rng.integers(0, len(COUNTRIES), n), origin)
    under = rng.random(n) < 0.1
    mass = np.exp(rng.normal(4, 1, n))
    value = mass * 5.0 * (hs + 1) * np.exp(rng.normal(0, 0.3, n)) * np.where(under, 0.2, 1.0)
    logit = -2.5 + 3.5 * (importer < 15) + 3.0 * under + 1.2 * (departure != origin)
    illicit = rng.random(n) < 1 / (1 + np.exp(-logit))
    day = rng.integers(0, days, n)
    return [
        {
            "id": f"B{seed}-{i:07d}",
            "type": "IM",
            "date": (start + dt.timedelta(days=int(day[i]))).isoformat(),
            "office": "10",
            "procedure": "B",
            "transport": {"mode": "40", "departure_country": COUNTRIES[departure[i]]},
            "parties": [
                {"role": "importer", "id": f"IMP{importer[i]:04d}"},
                {"role": "exporter", "id": f"EXP{i % 200}"},
            ],
            "items": [
                {
                    "hs_code": HS[hs[i]],
                    "origin_country": COUNTRIES[origin[i]],
                    "net_mass_kg": round(float(mass[i]), 3),
                    "value": round(float(value[i]), 2),
                    "currency": "USD",
                }
            ],
            "outcome": {"illicit": bool(illicit[i]), "severity": int(illicit[i])},
        }
        for i in range(n)
    ]


def build_node(db: str, data: Path, history: int) -> None:
    settings = Settings(db=db, data_dir=data, auto_migrate=True)
    node = open_node(settings)
    path = data / "history.json"
    path.write_text(json.dumps(declarations(history, seed=1, start=dt.date(2024, 1, 1), days=90)))
    ingest_file(node, BENCH, path, format="json")
    models.train(node, BENCH, config=risk.ModelConfig(rounds=100, validation_months=1))
    node.engine.dispose()


def quantiles(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    if not ordered:
        return {}

    def at(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 2)

    return {"p50": at(0.50), "p95": at(0.95), "p99": at(0.99), "max": round(ordered[-1], 2)}


async def run(args: argparse.Namespace, db: str, data: Path) -> dict[str, Any]:
    subject = f"bench.intake.{uuid.uuid4().hex[:8]}"
    nc = await nats.connect(args.nats)
    js = nc.jetstream()
    stream = f"BENCH_{subject.replace('.', '_').upper()}"
    await js.add_stream(name=stream, subjects=[subject])
    sent: dict[str, float] = {}
    latency: list[float] = []
    node_latency: list[float] = []
    done = asyncio.Event()
    total = args.warmup + int(args.rate * args.seconds)

    async def answer(msg: Any) -> None:
        d = json.loads(msg.data)
        at = time.perf_counter()
        if d["declaration_id"] in sent and not d["declaration_id"].startswith("W"):
            latency.append((at - sent[d["declaration_id"]]) * 1000)
            lodged = dt.datetime.fromisoformat(d["lodged_at"])
            node_latency.append(
                (dt.datetime.fromisoformat(d["decided_at"]) - lodged).total_seconds() * 1000
            )
        if len(latency) >= total - args.warmup:
            done.set()

    await nc.subscribe(f"{subject}.channel", cb=answer)
    env = os.environ | {"BORDERLINK_DATA_DIR": str(data)}
    consumer = await asyncio.create_subprocess_exec(
        *(sys.executable, "-c", "from borderlink.cli import main; main()", "ingest"),
        *("--from", f"{args.nats}/{subject}", "--batch", str(args.batch), "--json"),
        *("--idle-exit", "3", "--db", db),
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
    )
    new = declarations(total, seed=2, start=dt.date(2024, 4, 2), days=2)
    for n, body in enumerate(new):
        body.pop("outcome")
        if n < args.warmup:
            body["id"] = f"W{n}"  # warm-up: the consumer's start and first model load
    for body in new[: args.warmup]:
        await js.publish(subject, json.dumps(body).encode())
    await asyncio.sleep(args.warmup_s)
    start = time.perf_counter()
    for n, body in enumerate(new[args.warmup :]):
        pause = start + n / args.rate - time.perf_counter()
        if pause > 0:
            await asyncio.sleep(pause)
        sent[body["id"]] = time.perf_counter()
        await js.publish(subject, json.dumps(body).encode())
    published_s = time.perf_counter() - start
    try:
        await asyncio.wait_for(done.wait(), timeout=args.seconds + 120)
    finally:
        out, _ = await consumer.communicate()
        await js.delete_stream(stream)
        await nc.close()
    child = resource.getrusage(resource.RUSAGE_CHILDREN)
    summary = json.loads(out.decode().strip().splitlines()[-1])
    measured = len(latency)
    return {
        "rate_target": args.rate,
        "rate_published": round(measured / published_s, 1),
        "messages": measured,
        "batches": summary["batches"],
        "channels": summary["channels"],
        "latency_ms": quantiles(latency),
        "node_latency_ms": quantiles(node_latency),
        "latency_mean_ms": round(statistics.fmean(latency), 2),
        "consumer_cpu_ms_per_message": round(
            (child.ru_utime + child.ru_stime) * 1000 / max(1, total), 3
        ),
        "consumer_peak_rss_mb": round(child.ru_maxrss / 1024, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rate", type=float, default=500.0, help="messages per second")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--batch", type=int, default=1000, help="the consumer's --batch")
    parser.add_argument("--history", type=int, default=5000, help="declarations trained on")
    parser.add_argument("--warmup", type=int, default=50)
    parser.add_argument("--warmup-s", type=float, default=8.0)
    parser.add_argument("--nats", default="nats://127.0.0.1:4222")
    parser.add_argument("--postgres", default=None, help="a PostgreSQL URL (default SQLite)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="borderlink-bench-stream-") as folder:
        data = Path(folder)
        db = args.postgres or f"sqlite:///{data / 'node.db'}"
        build_node(db, data, args.history)
        figures = asyncio.run(run(args, db, data))
    figures |= {
        "backend": "postgres" if args.postgres else "sqlite",
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "nproc": os.cpu_count(),
        "loadavg": [round(x, 2) for x in os.getloadavg()],
    }
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
