"""Exchange between real nodes on loopback, and the verifiable log at scale.

Sections (``--sections``, comma-separated, all by default):
- ``merkle``: a node's log grows to ``--leaves`` leaves in batches of ``--batch`` (append rate,
  subtrees stored as it goes), then the head of the full tree, ``--samples`` inclusion proofs of
  random leaves and consistency proofs are timed (p50/p95, ms), and peak memory (run first, so the
  process's peak RSS is this section's);
- ``latency``: ``--nodes`` nodes (uvicorn on 127.0.0.1, a SQLite file each), A in agreement with
  each other; A issues ``--alerts`` alerts one by one, each released to every partner and
  followed by a signed notice, on which the partner pulls at once (and witnesses A's head);
  latency = time a partner stored the alert - time A began issuing it (p50/p95/max). With
  ``--processes`` each partner serves from its own process, as nodes do (A and this script
  share one); without, every node is a thread of this process and they share one interpreter
  lock, so each node's work waits on the others';
- ``backlog``: A releases ``--records`` alerts to B without notice, then B syncs them in pages
  of ``--page-size``: records/s verified, checked against the agreement, stored and logged;
  A serves the sync from its own process (``--no-backlog-apart``: from this one), so the CPU
  per record of each side is its own; then a thread GETs inclusion proofs of random leaves of
  A's log over HTTP (signed requests, one every 20 ms after the last), for 3 s idle, then while
  B syncs a tenth more (at least 1000): their latency (p50/p95) under that load.
Beside the wall-clock figures, CPU time per operation (this process's, all its threads): on a
shared machine the wall clock also counts what other processes ran meanwhile.
Prints one JSON object on the last line.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import multiprocessing
import os
import random
import resource
import socket
import statistics
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import select, update

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.coop_mesh import agree, build_mesh, connect, node_settings
from tests.coop_samples import agreement

from borderlink.errors import BorderLinkError
from borderlink.model import Alert
from borderlink.server.app import create_app
from borderlink.server.loopback import LoopbackServer
from borderlink.services import open_node
from borderlink.services.accounts.access import Principal
from borderlink.services.cooperation.partners import get_partner, init_node, node_identity
from borderlink.services.cooperation.records import held_objects, issue, issue_all
from borderlink.services.exchange.calls import partner_client
from borderlink.services.exchange.log import (
    append,
    consistency,
    exclusive,
    prove_leaf,
    signed_tree_head,
    tree_root,
    tree_size,
)
from borderlink.services.exchange.sync import sync_partner
from borderlink.settings import Settings
from borderlink.store.cooperation_tables import partners, received

OPS = Principal.system("test")  # acts for the node in the benchmark


def _alert(n: int) -> Alert:
    now = dt.datetime.now(dt.UTC)
    return Alert(
        id=f"indicator--{uuid.uuid4()}",
        issuer="A",
        created=now,
        modified=now,
        title=f"benchmark alert {n}",
        valid_from=now.date(),
        valid_until=now.date() + dt.timedelta(days=30),
        hs_codes=(f"{n % 97:02d}",),
        origins=("CN",),
    )


def _quantiles(values: list[float]) -> tuple[float, float]:
    if len(values) < 2:
        return (values[0], values[0]) if values else (float("nan"), float("nan"))
    q = statistics.quantiles(values, n=100)
    return q[49], q[94]


def _ms(seconds: list[float]) -> dict[str, float]:
    p50, p95 = _quantiles(sorted(seconds))
    return {"p50_ms": round(p50 * 1000, 3), "p95_ms": round(p95 * 1000, 3)}


def _switches() -> tuple[int, int]:
    """This thread's (voluntary, involuntary) context switches so far."""
    usage = resource.getrusage(resource.RUSAGE_THREAD)
    return usage.ru_nvcsw, usage.ru_nivcsw


class Timed:
    """Wall and CPU time of each run of a ``with`` block (CPU: this thread's), and whether the
    thread waited in it: on I/O or a lock (a voluntary switch) or on the CPU another process
    took (an involuntary one, "preempted": the wall time then counts that process's work)."""

    def __init__(self) -> None:
        self.wall: list[float] = []
        self.cpu: list[float] = []
        self.waited = 0
        self.preempted: list[bool] = []

    def __enter__(self) -> None:
        self._s = _switches()
        self._t, self._c = time.perf_counter(), time.thread_time()

    def __exit__(self, *_exc: object) -> None:
        self.wall.append(time.perf_counter() - self._t)
        self.cpu.append(time.thread_time() - self._c)
        voluntary, involuntary = (b - a for a, b in zip(self._s, _switches(), strict=True))
        self.waited += voluntary > 0
        self.preempted.append(involuntary > 0)

    def figures(self) -> dict[str, Any]:
        cpu = _ms(self.cpu)
        alone = [w for w, p in zip(self.wall, self.preempted, strict=True) if not p]
        return {
            **_ms(self.wall),
            "cpu_p50_ms": cpu["p50_ms"],
            "cpu_p95_ms": cpu["p95_ms"],
            "runs_waiting_on_io_or_locks": self.waited,
            "runs_preempted": sum(self.preempted),
            "wall_p95_ms_not_preempted": _ms(alone)["p95_ms"] if alone else None,
        }


def merkle(root: Path, leaves: int, batch: int, samples: int) -> dict[str, Any]:
    node = open_node(Settings(environment="test", data_dir=root / "log", node_id="A"))
    identity = init_node(node, OPS)
    t0, c0 = time.perf_counter(), time.process_time()
    for start in range(0, leaves, batch):
        entries = [
            {"kind": "sent", "record_id": f"r{i}", "peer": "B", "digest": f"{i:064x}"}
            for i in range(start, min(start + batch, leaves))
        ]
        with exclusive(node) as conn:
            append(conn, entries)
    append_s, append_cpu_s = time.perf_counter() - t0, time.process_time() - c0
    heads, proofs, consistencies = Timed(), Timed(), Timed()
    rng = random.Random(7)
    with node.read() as conn:
        size = tree_size(conn)
        for _ in range(samples):
            with heads:
                tree_root(conn, size - rng.randrange(1000))
    t = time.perf_counter()
    signed_tree_head(node, identity)  # computed and signed once, then held
    sign_s = time.perf_counter() - t
    for _ in range(samples):
        with proofs:
            prove_leaf(node, rng.randrange(size))
        with consistencies:
            consistency(node, rng.randrange(1, size), size)
    node.engine.dispose()
    return {
        "merkle_leaves": size,
        "merkle_append_per_s": round(size / append_s, 1),
        # CPU time of this process alone: on a shared machine the wall rate waits on others.
        "merkle_append_per_cpu_s": round(size / append_cpu_s, 1),
        "merkle_head": heads.figures(),
        "merkle_signed_head_ms": round(sign_s * 1000, 3),
        "merkle_inclusion_proof": proofs.figures(),
        "merkle_consistency_proof": consistencies.figures(),
        "merkle_db_mb": round((root / "log" / "borderlink.db").stat().st_size / 2**20, 1),
        "merkle_peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def _arrivals(nodes: dict[str, Any], names: list[str]) -> dict[tuple[str, str], float]:
    arrived: dict[tuple[str, str], float] = {}
    for name in names:
        with nodes[name].engine.connect() as conn:
            rows = conn.execute(select(received.c.record_id, received.c.received_at))
            arrived.update(
                {
                    (name, r.record_id): r.received_at.replace(tzinfo=dt.UTC).timestamp()
                    for r in rows
                }
            )
    return arrived


def mesh_sections(root: Path, args: argparse.Namespace, sections: set[str]) -> dict[str, Any]:
    names = ["A", *(chr(ord("B") + i) for i in range(args.nodes - 1))]
    mesh = build_mesh(root, names)
    own = names[:1] if args.processes else names
    ports = {name: _free_port() for name in names if name not in own}
    servers = _serve_here(mesh, own)
    mesh.urls.update({name: f"http://127.0.0.1:{port}" for name, port in ports.items()})
    out: dict[str, Any] = {"partners_in_own_process": bool(args.processes)}
    stop = multiprocessing.get_context("spawn").Event()
    children: list[Any] = []
    try:
        for other in names[1:]:
            connect(mesh, "A", other)
            agree(mesh, agreement(agreement_id=f"A{other}-2026", parties=["A", other]))
        children = _serve_apart(root, ports, stop)
        a = mesh.nodes["A"]
        if "latency" in sections:
            out.update(_latency(mesh, a, names[1:], args.alerts))
        if "backlog" in sections:
            out.update(_backlog(root, mesh, a, args.records, args.page_size, args.backlog_apart))
        out["load_average_1m"] = round(os.getloadavg()[0], 2)
    finally:
        stop.set()
        for child in children:
            child.join(timeout=20)
        for server in servers.values():
            server.stop()
        mesh.close()
    return out


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _serve_here(mesh: Any, names: list[str]) -> dict[str, LoopbackServer]:
    servers = {}
    for name in names:
        mesh.apps[name].state.exchange_transport = None  # real HTTP to the partners
        servers[name] = LoopbackServer(mesh.apps[name]).start()
        mesh.urls[name] = servers[name].url
    return servers


def _serve_apart(root: Path, ports: dict[str, int], stop: Any) -> list[Any]:
    """Each node of ``ports`` served from its own process (its database already set up)."""
    context = multiprocessing.get_context("spawn")
    children = []
    for name, port in ports.items():
        ready = context.Event()
        child = context.Process(target=_serve_node, args=(str(root), name, port, ready, stop))
        child.start()
        children.append(child)
        if not ready.wait(timeout=120):
            raise RuntimeError(f"node {name} did not start serving")
    return children


def _serve_node(root: str, name: str, port: int, ready: Any, stop: Any) -> None:
    node = open_node(node_settings(Path(root), name))
    server = LoopbackServer(create_app(node=node), port).start()
    ready.set()
    stop.wait()
    server.stop()
    node.engine.dispose()


def _latency(mesh: Any, a: Any, receivers: list[str], alerts: int) -> dict[str, Any]:
    started: dict[str, float] = {}
    t0, c0 = time.perf_counter(), time.process_time()
    for n in range(alerts):
        record = _alert(n)
        started[record.id] = dt.datetime.now(dt.UTC).timestamp()
        issue(a, OPS, record)
    issue_s = time.perf_counter() - t0
    deadline = time.monotonic() + 120
    arrived: dict[tuple[str, str], float] = {}
    while len(arrived) < alerts * len(receivers) and time.monotonic() < deadline:
        arrived = _arrivals(mesh.nodes, receivers)
        time.sleep(0.1)
    cpu_s = time.process_time() - c0
    latencies = sorted(t - started[rid] for (_, rid), t in arrived.items() if rid in started)
    p50, p95 = _quantiles(latencies)
    return {
        "nodes": len(receivers) + 1,
        "alerts": alerts,
        "delivered": len(latencies),
        "expected_deliveries": alerts * len(receivers),
        "latency_p50_s": round(p50, 4),
        "latency_p95_s": round(p95, 4),
        "latency_max_s": round(latencies[-1], 4) if latencies else None,
        "issue_with_notice_per_s": round(alerts / issue_s, 1),
        # A's side (and, without --processes, every node's): CPU of this process per alert.
        "latency_cpu_ms_per_alert_here": round(cpu_s / alerts * 1000, 1),
    }


def _issue(a: Any, first: int, count: int) -> float:
    """Release ``count`` alerts to every partner, in batches of 1000; the seconds it took."""
    t0 = time.perf_counter()
    for start in range(first, first + count, 1000):
        batch = [_alert(n) for n in range(start, min(start + 1000, first + count))]
        issue_all(a, OPS, batch, notify=False)
    return time.perf_counter() - t0


def _backlog(
    root: Path, mesh: Any, a: Any, records: int, page_size: int, apart: bool
) -> dict[str, Any]:
    """The backlog synced alone (rate, CPU per record per side), then a tenth more synced while
    inclusion proofs are asked of A over HTTP (their latency, with A busy serving the sync)."""
    b = mesh.nodes["B"]
    before = len(held_objects(b))
    release_s = _issue(a, 0, records)
    signed_tree_head(a, node_identity(a))  # as A's sealer does after a release
    stop = multiprocessing.get_context("spawn").Event()
    port = _free_port()
    server = _serve_apart(root, {"A": port}, stop)[0] if apart else None
    url = mesh.urls["A"]
    if server is not None:  # B pulls from A's own process: each side's CPU is its own
        _point(b, "A", f"http://127.0.0.1:{port}")
    try:
        with a.read() as conn:
            size = tree_size(conn)
        with Prober(b, "A", size) as idle:  # A's serving process warms up meanwhile
            time.sleep(3)
        serving_cpu0 = _process_cpu(server)
        t0, c0 = time.perf_counter(), time.process_time()
        result = sync_partner(b, "A", page_size=page_size)
        sync_s, sync_cpu_s = time.perf_counter() - t0, time.process_time() - c0
        serving_cpu_s = _process_cpu(server) - serving_cpu0
        load = round(os.getloadavg()[0], 2)  # what else ran meanwhile, on a shared machine
        receiving_peak = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
        proofs = _proofs_during_sync(a, b, size, max(records // 10, 1000), page_size)
        serving_peak = _peak_rss_mb(server)
    finally:
        _point(b, "A", url)
        stop.set()
        if server is not None:
            server.join(timeout=20)
    per = max(result.accepted, 1) / 1e6
    return {
        "records": records,
        "synced": result.accepted,
        "sync_records_per_s": round(result.accepted / sync_s, 1),
        "sync_s": round(sync_s, 2),
        "serving_apart": apart,
        # Apart: A's serving process, and B's (this one); else both in this one.
        "sync_cpu_us_per_record_receiving": round(sync_cpu_s / per, 1),
        "sync_cpu_us_per_record_serving": round(serving_cpu_s / per, 1) if apart else None,
        "serving_peak_rss_mb": serving_peak,
        # This process (B, and A's release before): its peak so far, once the backlog is in.
        "receiving_peak_rss_mb": receiving_peak,
        "sync_load_average_1m": load,
        "inclusion_proof_idle": idle.figures(),
        **proofs,
        "release_records_per_s": round(records / release_s, 1),  # batches of 1000
        "page_size": page_size,
        "held_at_b": len(held_objects(b)) - before,
        "witnessed_size": result.witnessed_size,
    }


def _proofs_during_sync(a: Any, b: Any, size: int, records: int, page_size: int) -> dict[str, Any]:
    _issue(a, 10**9, records)
    signed_tree_head(a, node_identity(a))
    with Prober(b, "A", size) as prober:
        t0 = time.perf_counter()
        result = sync_partner(b, "A", page_size=page_size)
        sync_s = time.perf_counter() - t0
    return {
        "inclusion_proof_during_sync": prober.figures(),
        "sync_with_proofs_records_per_s": round(result.accepted / sync_s, 1),
    }


def _point(node: Any, partner_id: str, url: str) -> None:
    with node.engine.begin() as conn:
        conn.execute(
            update(partners).where(partners.c.partner_id == partner_id).values(base_url=url)
        )


def _process_cpu(process: Any) -> float:
    """CPU seconds of a child process so far (Linux: from /proc), 0 without one."""
    if process is None:
        return 0.0
    fields = Path(f"/proc/{process.pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _peak_rss_mb(process: Any) -> float | None:
    if process is None:
        return None
    for line in Path(f"/proc/{process.pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return None


class Prober:
    """GET inclusion proofs of random leaves from a partner over HTTP (signed requests), every
    ``pause`` seconds, from a thread of its own, while the ``with`` block runs (a sync)."""

    def __init__(self, node: Any, partner_id: str, size: int, pause: float = 0.02) -> None:
        self.node, self.partner_id, self.size, self.pause = node, partner_id, size, pause
        self.wall: list[float] = []
        self.cpu_s = 0.0
        self.failed = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Prober:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=30)

    def _run(self) -> None:
        c0, rng = time.thread_time(), random.Random(11)
        me, partner = node_identity(self.node), get_partner(self.node, self.partner_id)
        with partner_client(self.node, me, partner) as client:
            while not self._stop.wait(self.pause):
                t = time.perf_counter()
                try:
                    client.inclusion(leaf_index=rng.randrange(self.size))
                except BorderLinkError:
                    self.failed += 1
                    continue
                self.wall.append(time.perf_counter() - t)
        self.cpu_s = time.thread_time() - c0

    def figures(self) -> dict[str, Any]:
        return {
            "requests": len(self.wall),
            "failed": self.failed,
            **_ms(self.wall),
            "max_ms": round(max(self.wall) * 1000, 3) if self.wall else None,
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sections", default="merkle,latency,backlog")
    parser.add_argument("--leaves", type=int, default=1_000_000)
    parser.add_argument("--batch", type=int, default=10_000)
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--nodes", type=int, default=5)
    parser.add_argument("--alerts", type=int, default=200)
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--page-size", type=int, default=1000)
    parser.add_argument(
        "--processes",
        action=argparse.BooleanOptionalAction,
        default=False,
        help="serve each partner node from its own process (as deployed nodes are; on a "
        "machine with few cores busy with other work, threads of one process fare better)",
    )
    parser.add_argument(
        "--backlog-apart",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="backlog: A serves the sync from its own process (so each side's CPU is measured "
        "apart); without, from a thread of this one",
    )
    args = parser.parse_args()
    sections = set(args.sections.split(","))
    figures: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        if "merkle" in sections:
            figures.update(merkle(Path(tmp), args.leaves, args.batch, args.samples))
        if sections & {"latency", "backlog"}:
            figures.update(mesh_sections(Path(tmp) / "mesh", args, sections))
    figures["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    figures["cpu_count"] = os.cpu_count()
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
