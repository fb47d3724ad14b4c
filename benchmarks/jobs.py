"""Upload as a background job: how long the page's answer waits, how often progress moves.

Writes a synthetic CSV of ``--items`` goods items, then on a fresh SQLite node: posts it to
``/ingest`` through the app in-process (as a signed-in administrator, after opening the form as
a person would) and times the redirect to the job's page; polls the job (every ``--poll``
seconds) until it ends, counting the distinct progress figures seen; and reports the job's own
duration and the peak RSS. The last line is one JSON object.

    python benchmarks/jobs.py --items 200000 --chunk 20000
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from borderlink import demo as synth
from borderlink.server import create_app
from borderlink.server.deps import SESSION_COOKIE
from borderlink.services import jobs, open_node
from borderlink.services.accounts import users as accounts
from borderlink.services.accounts.access import Principal
from borderlink.settings import Settings

PASSWORD = "benchmark password 1"  # noqa: S105 - a throwaway node's only account


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


async def upload_and_follow(
    app: Any, token: str, csrf: str, body: bytes, poll: float
) -> dict[str, Any]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://node") as client:
        client.cookies.set(SESSION_COOKIE, token)
        cold = time.perf_counter()
        assert (await client.get("/ingest")).status_code == 200  # the form, as a person opens it
        form_s = time.perf_counter() - cold
        began = time.perf_counter()
        sent = await client.post(
            "/ingest",
            data={"csrf_token": csrf, "format": "csv"},
            files={"file": ("bench.csv", body, "text/csv")},
        )
        answered = time.perf_counter() - began
        assert sent.status_code == 303, sent.text
        job_id = sent.headers["location"].rsplit("/", 1)[1]
        node = app.state.node
        seen: list[int] = []
        while True:
            job = await asyncio.to_thread(jobs.read, node, Principal.system("bench"), job_id)
            if not seen or seen[-1] != job.done:
                seen.append(job.done)
            if job.finished:
                break
            await asyncio.sleep(poll)
        page = await client.get(f"/jobs/{job_id}")
        assert page.status_code == 200
    assert job.started_at is not None
    assert job.finished_at is not None
    return {
        "form_s": round(form_s, 3),  # the first page of a fresh app (imports, templates)
        "redirect_s": round(answered, 3),
        "job_s": round((job.finished_at - job.started_at).total_seconds(), 2),
        "until_done_s": round(time.perf_counter() - began, 2),
        "state": job.state,
        "rows": job.total,
        "accepted": (job.result or {}).get("accepted"),
        "progress_figures_seen": len(seen),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--chunk", type=int, default=20_000, help="rows per ingest chunk")
    parser.add_argument("--poll", type=float, default=0.2, help="seconds between reads")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bl-jobs-") as tmp:
        work = Path(tmp)
        csv = work / "declarations.csv"
        synth.write_csv(csv, args.items, args.seed)
        file_mb = round(csv.stat().st_size / 2**20, 1)
        settings = Settings(
            environment="test",
            data_dir=work,
            ingest_chunk_rows=args.chunk,
            password_hashing="fast",  # noqa: S106 - the hashing profile, not a password
        )
        node = open_node(settings, migrate=True)
        admin = Principal.system("bench")
        accounts.add_user(node, admin, username="bench", password=PASSWORD, role="administrator")
        opened = accounts.open_session(node, accounts.authenticate(node, "bench", PASSWORD))
        app = create_app(settings, node=node)
        figures = asyncio.run(
            upload_and_follow(app, opened.token, opened.csrf_token, csv.read_bytes(), args.poll)
        )
        node.engine.dispose()
    figures |= {
        "items": args.items,
        "chunk_rows": args.chunk,
        "file_mb": file_mb,
        "peak_rss_mb": round(peak_rss_mb(), 1),
        "nproc": os.cpu_count(),
    }
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
