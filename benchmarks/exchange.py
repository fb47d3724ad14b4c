"""Exchange between two real nodes on loopback: alert propagation latency and sync throughput.

Starts nodes A and B (uvicorn on 127.0.0.1, a SQLite file each, an agreement in force), then:
- latency: A issues ``--alerts`` alerts one by one, each followed by a signed notice to B, which
  pulls at once; latency = time B stored the alert - time A began issuing it (p50/p95/max);
- throughput: A releases ``--records`` alerts without notice, then B syncs them in pages of
  ``--page-size``: records/s verified, checked against the agreement, stored and logged.
Prints one JSON object on the last line.
"""

from __future__ import annotations

import argparse
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

from sqlalchemy import select

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.coop_mesh import agree, build_mesh, connect, go_live
from tests.coop_samples import agreement

from borderlink.model import Alert
from borderlink.services.accounts.access import Principal
from borderlink.services.cooperation.records import held_objects, issue, issue_all
from borderlink.services.exchange.sync import sync_partner
from borderlink.store.cooperation_tables import received

OPS = Principal.system("test")  # acts for the node in the tests


def _alert(n: int) -> Alert:
    now = dt.datetime.now(dt.UTC)
    return Alert(
        id=f"x-borderlink-alert--{uuid.uuid4()}",
        issuer="A",
        created=now,
        modified=now,
        title=f"benchmark alert {n}",
        valid_from=now.date(),
        valid_until=now.date() + dt.timedelta(days=30),
        hs_codes=(f"{n % 97:02d}",),
        origins=("CN",),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--alerts", type=int, default=200)
    parser.add_argument("--records", type=int, default=5000)
    parser.add_argument("--page-size", type=int, default=500)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        mesh = build_mesh(Path(tmp), ["A", "B"])
        servers = go_live(mesh)
        try:
            connect(mesh, "A", "B")
            agree(mesh, agreement())
            a, b = mesh.nodes["A"], mesh.nodes["B"]

            started: dict[str, float] = {}
            t0 = time.perf_counter()
            for n in range(args.alerts):
                record = _alert(n)
                started[record.id] = dt.datetime.now(dt.UTC).timestamp()
                issue(a, OPS, record)
            issue_s = time.perf_counter() - t0
            deadline = time.monotonic() + 60
            arrived: dict[str, float] = {}
            while len(arrived) < args.alerts and time.monotonic() < deadline:
                with b.engine.connect() as conn:
                    rows = conn.execute(select(received.c.record_id, received.c.received_at))
                    arrived = {
                        r.record_id: r.received_at.replace(tzinfo=dt.UTC).timestamp() for r in rows
                    }
                time.sleep(0.05)
            latencies = sorted(arrived[k] - started[k] for k in started if k in arrived)
            q = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else latencies * 99

            t0 = time.perf_counter()
            for start in range(0, args.records, 500):
                batch = [_alert(n) for n in range(start, min(start + 500, args.records))]
                issue_all(a, OPS, batch, notify=False)
            release_s = time.perf_counter() - t0
            t0 = time.perf_counter()
            result = sync_partner(b, "A", page_size=args.page_size)
            sync_s = time.perf_counter() - t0
            held_at_b = len(held_objects(b))
            load = os.getloadavg()[0]
        finally:
            for server in servers.values():
                server.stop()
            mesh.close()

    print(
        json.dumps(
            {
                "alerts": args.alerts,
                "delivered": len(latencies),
                "latency_p50_s": round(q[49], 4),
                "latency_p95_s": round(q[94], 4),
                "latency_max_s": round(latencies[-1], 4) if latencies else None,
                "issue_with_notice_per_s": round(args.alerts / issue_s, 1),
                "records": args.records,
                "synced": result.accepted,
                "sync_records_per_s": round(result.accepted / sync_s, 1),
                "release_records_per_s": round(args.records / release_s, 1),  # batches of 500
                "page_size": args.page_size,
                "held_at_b": held_at_b,
                "expected_at_b": args.alerts + args.records,
                "load_average_1m": round(load, 2),
                "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
                "cpu_count": os.cpu_count(),
            }
        )
    )


if __name__ == "__main__":
    main()
