"""Ingest by upload in the pages: the counts of the batch and the way to its rejects."""

from __future__ import annotations

import asyncio

import httpx
from fastapi import FastAPI

from borderlink.server.deps import SESSION_COOKIE
from borderlink.services.accounts import users as accounts
from tests.factories import good
from tests.surfaces import PASSWORD, Seeded, client


def _csv(*rows: dict[str, str]) -> bytes:
    columns = list(rows[0])
    lines = [",".join(columns)] + [",".join(row[c] for c in columns) for row in rows]
    return ("\n".join(lines) + "\n").encode()


def test_an_upload_reports_accepted_and_rejected_with_a_link_to_the_rejects(
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
            sent = await c.post(
                "/ingest",
                data={"csrf_token": admin.csrf_token, "format": "csv"},
                files={"file": ("/home/clerk/march.csv", body, "text/csv")},
            )
            empty = await c.post("/ingest", data={"csrf_token": admin.csrf_token})
            c.cookies.set(SESSION_COOKIE, analyst.token)
            refused = await c.get("/ingest")
            return [form, sent, empty, refused]

    form, sent, empty, refused = asyncio.run(go())
    assert form.status_code == 200
    assert '<option value="csv">' in form.text
    assert sent.status_code == 200, sent.text
    assert "march.csv: 2 rows read" in sent.text
    assert "1 accepted, 1 rejected, 0 already stored." in sent.text
    assert 'href="/rejects"' in sent.text
    assert "/home/clerk" not in sent.text  # the name only, never a path
    assert "incoming" not in sent.text
    assert empty.status_code == 400
    assert "choose a file to upload" in empty.text
    assert refused.status_code == 403
    assert not list((node.settings.data_dir / "incoming").glob("upload-*"))  # spool removed
