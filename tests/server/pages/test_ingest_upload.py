"""Ingest by upload in the pages: the upload becomes a background job; its page shows the
progress, then the counts of the batch and the way to its rejects."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import httpx
from fastapi import FastAPI

from borderlink.server import create_app
from borderlink.server.deps import SESSION_COOKIE
from borderlink.services import Node, jobs
from borderlink.services.accounts import users as accounts
from borderlink.services.accounts.access import Principal
from borderlink.services.ingest import upload
from tests.factories import good
from tests.surfaces import PASSWORD, Seeded, client


def _csv(*rows: dict[str, str]) -> bytes:
    columns = list(rows[0])
    lines = [",".join(columns)] + [",".join(row[c] for c in columns) for row in rows]
    return ("\n".join(lines) + "\n").encode()


async def _until_finished(c: httpx.AsyncClient, location: str) -> httpx.Response:
    """The job's page, read again as the browser would (it refreshes itself) until the end."""
    deadline = time.monotonic() + 60
    while True:
        page = await c.get(location)
        assert page.status_code == 200, page.text
        if 'http-equiv="refresh"' not in page.text:
            return page
        assert time.monotonic() < deadline, page.text
        await asyncio.sleep(0.05)


def test_an_upload_is_a_job_whose_page_reports_accepted_and_rejected(
    app: FastAPI, seeded: Seeded
) -> None:
    node = seeded.node
    admin = accounts.open_session(node, accounts.authenticate(node, "administrator-1", PASSWORD))
    analyst = accounts.open_session(node, accounts.authenticate(node, "risk_analyst-1", PASSWORD))
    body = _csv(good(declaration_id="UP-1"), good(declaration_id="UP-2", value="12.3.4"))

    async def go() -> list[httpx.Response]:
        async with client(app) as c:
            c.cookies.set(SESSION_COOKIE, admin.token)
            form = await c.get("/ingest")
            began = time.monotonic()
            sent = await c.post(
                "/ingest",
                data={"csrf_token": admin.csrf_token, "format": "csv"},
                files={"file": ("/home/clerk/march.csv", body, "text/csv")},
            )
            assert time.monotonic() - began < 5  # the answer does not wait for the ingest
            done = await _until_finished(c, sent.headers["location"])
            listed = await c.get("/jobs")
            empty = await c.post("/ingest", data={"csrf_token": admin.csrf_token})
            c.cookies.set(SESSION_COOKIE, analyst.token)
            refused = await c.get("/ingest")
            hidden = await c.get(sent.headers["location"])  # the administrator's job
            return [form, sent, done, listed, empty, refused, hidden]

    form, sent, done, listed, empty, refused, hidden = asyncio.run(go())
    assert form.status_code == 200
    assert '<option value="csv">' in form.text
    assert sent.status_code == 303, sent.text
    assert sent.headers["location"].startswith("/jobs/")
    assert 'data-state="done"' in done.text
    assert "march.csv: 2 rows read" in done.text
    assert "1 accepted, 1 rejected, 0 already stored." in done.text
    assert 'href="/rejects"' in done.text
    assert '<progress id="progress" max="2" value="2">' in done.text
    assert "/home/clerk" not in done.text  # the name only, never a path
    assert "incoming" not in done.text
    assert f'href="{sent.headers["location"]}"' in listed.text  # among the person's jobs
    assert "Upload of march.csv" in listed.text
    assert empty.status_code == 400
    assert "choose a file to upload" in empty.text
    assert refused.status_code == 403
    assert hidden.status_code == 404  # someone else's job is not found
    assert not list((node.settings.data_dir / "incoming").glob("upload-*"))  # spool removed


def test_an_upload_that_cannot_be_read_shows_why_on_its_job_page(
    app: FastAPI, seeded: Seeded
) -> None:
    node = seeded.node
    admin = accounts.open_session(node, accounts.authenticate(node, "administrator-1", PASSWORD))

    async def go() -> httpx.Response:
        async with client(app) as c:
            c.cookies.set(SESSION_COOKIE, admin.token)
            sent = await c.post(
                "/ingest",
                data={"csrf_token": admin.csrf_token, "format": "csv"},
                files={"file": ("empty.csv", b"", "text/csv")},
            )
            assert sent.status_code == 303, sent.text
            return await _until_finished(c, sent.headers["location"])

    page = asyncio.run(go())
    assert 'data-state="failed"' in page.text
    problem = page.text.split('id="problem">')[1].split("</p>")[0]
    assert "empty.csv: empty CSV file" in problem  # what went wrong, named as the person named it
    assert "incoming" not in page.text
    assert "upload-" not in problem
    assert 'href="/ingest"' in page.text  # and the way to try again
    assert not list((node.settings.data_dir / "incoming").glob("upload-*"))


def test_the_ingest_reports_its_progress_chunk_by_chunk(node: Node, tmp_path: Path) -> None:
    path = tmp_path / "three.csv"
    path.write_bytes(_csv(*(good(declaration_id=f"P-{n}") for n in range(3))))
    seen: list[tuple[int, int | None]] = []
    result = upload._ingest(
        node,
        Principal.system("tester"),
        path,
        "csv",
        "three.csv",
        lambda done, total: seen.append((done, total)),
        chunk_rows=1,
    )
    assert seen == [(0, 3), (1, None), (2, None), (3, None)]  # the total, then each chunk
    assert (result["rows"], result["accepted"], result["source"]) == (3, 3, "three.csv")
    assert not path.exists()  # the spooled file is removed once read


def test_an_upload_job_records_total_and_progress(node: Node, tmp_path: Path) -> None:
    path = tmp_path / "spooled"
    path.write_bytes(_csv(*(good(declaration_id=f"J-{n}") for n in range(4))))
    who = Principal.system("tester")
    job_id = upload.start_upload(node, who, path, format="csv", name="four.csv", chunk_rows=2)
    deadline = time.monotonic() + 30
    while not (job := jobs.read(node, who, job_id)).finished:
        assert time.monotonic() < deadline
        time.sleep(0.02)
    assert (job.state, job.done, job.total, job.unit, job.title) == (
        "done",
        4,
        4,
        "rows",
        "four.csv",
    )
    assert job.result is not None
    assert job.result["accepted"] == 4


def test_a_file_larger_than_a_form_is_taken_up_to_the_submission_ceiling(seeded: Seeded) -> None:
    """A form's body is small (``max_body_bytes``); an uploaded file is a submission."""
    settings = seeded.node.settings.model_copy(
        update={"max_body_bytes": 1024, "max_submission_bytes": 64 << 10}
    )
    node = Node(settings=settings, engine=seeded.node.engine)
    app = create_app(settings, node=node)
    opened = accounts.open_session(node, accounts.authenticate(node, "administrator-1", PASSWORD))
    body = _csv(*(good(declaration_id=f"BIG-{n}") for n in range(100)))
    assert 4096 < len(body) < 60 << 10

    async def go() -> tuple[httpx.Response, httpx.Response]:
        async with client(app) as c:
            c.cookies.set(SESSION_COOKIE, opened.token)
            csrf = {"csrf_token": opened.csrf_token, "format": "csv"}
            sent = await c.post("/ingest", data=csrf, files={"file": ("big.csv", body)})
            huge = body * 10  # past 64 KiB
            refused = await c.post("/ingest", data=csrf, files={"file": ("huge.csv", huge)})
            if sent.status_code == 303:
                await _until_finished(c, sent.headers["location"])
            return sent, refused

    sent, refused = asyncio.run(go())
    assert sent.status_code == 303, sent.text
    assert refused.status_code == 413  # past the submission ceiling
