"""Mutual assistance between two real nodes on loopback: requests sent, answers returned.

Nodes A and B (uvicorn on 127.0.0.1, threads of this process, a SQLite file each) under an
assistance agreement. A drafts and sends ``--requests`` requests one by one (each signed, logged,
released to B and followed by a signed notice on which B pulls at once); then B answers each
(with findings). Figures: requests/s and answers/s (wall clock and this process's CPU), and the
time from the start of a send to the request being visible in B's work list (B's receipt time),
and from the start of an answer to it being visible at A (p50/p95/max, ms), and peak memory.
Both nodes share one interpreter lock here, so each node's work waits on the other's.
Prints one JSON object on the last line.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import select

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.assist_samples import assistance_agreement, request_document
from tests.coop_mesh import agree, build_mesh, connect, go_live

from borderlink.services.accounts.access import Principal
from borderlink.services.cooperation.assistance import draft_request, reply, send_request
from borderlink.store.cooperation_tables import assistance_cases

OPS = Principal.system("bench")


def _ms(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    if not ordered:
        return {}
    p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
    return {
        "p50": round(statistics.median(ordered) * 1000, 1),
        "p95": round(p95 * 1000, 1),
        "max": round(ordered[-1] * 1000, 1),
    }


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _visible(node: Any, column: str) -> dict[str, dt.datetime]:
    with node.read() as conn:
        rows = conn.execute(select(assistance_cases.c.request_id, assistance_cases.c[column]))
        return {r[0]: _aware(r[1]) for r in rows if r[1] is not None}


def _wait(check: Any, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not check() and time.monotonic() < deadline:
        time.sleep(0.05)


def run(requests: int) -> dict[str, Any]:
    root = Path(tempfile.mkdtemp(prefix="borderlink-bench-assistance-"))
    mesh = build_mesh(root, ["A", "B"])
    servers = go_live(mesh)
    try:
        connect(mesh, "A", "B")
        agree(mesh, assistance_agreement())
        a, b = mesh.nodes["A"], mesh.nodes["B"]
        started: dict[str, dt.datetime] = {}
        cpu, wall = time.process_time(), time.perf_counter()
        for n in range(requests):
            step = draft_request(a, OPS, request_document(reference=f"BENCH-{n}"))
            started[step.request_id] = dt.datetime.now(dt.UTC)
            send_request(a, OPS, step.request_id)
        send_wall, send_cpu = time.perf_counter() - wall, time.process_time() - cpu
        _wait(lambda: len(_visible(b, "sent_at")) >= requests, 120)
        at_b = _visible(b, "sent_at")
        answered: dict[str, dt.datetime] = {}
        cpu, wall = time.process_time(), time.perf_counter()
        for request_id in started:
            answered[request_id] = dt.datetime.now(dt.UTC)
            reply(b, OPS, request_id, "answered", findings="Nothing known of this trader.")
        answer_wall, answer_cpu = time.perf_counter() - wall, time.process_time() - cpu
        _wait(lambda: len(_visible(a, "answered_at")) >= requests, 120)
        at_a = _visible(a, "updated_at")  # when A stored the answer
        return {
            "requests": requests,
            "requests_per_s": round(requests / send_wall, 1),
            "request_cpu_ms_each": round(send_cpu / requests * 1000, 2),
            "request_visible_at_partner_ms": _ms(
                [(at_b[r] - t).total_seconds() for r, t in started.items() if r in at_b]
            ),
            "requests_visible": len(at_b),
            "answers_per_s": round(requests / answer_wall, 1),
            "answer_cpu_ms_each": round(answer_cpu / requests * 1000, 2),
            "answer_visible_at_requester_ms": _ms(
                [(at_a[r] - t).total_seconds() for r, t in answered.items() if r in at_a]
            ),
            "answers_visible": len(_visible(a, "answered_at")),
        }
    finally:
        for server in servers.values():
            server.stop()
        mesh.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=10_000)
    args = parser.parse_args()
    figures = run(args.requests)
    figures["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
