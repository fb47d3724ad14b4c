"""The models page: retrain on the node's outcomes (a background job with its own page),
compare side by side, promote one."""

from __future__ import annotations

import asyncio
import datetime as dt
import time

import httpx
from fastapi import FastAPI

from borderlink import risk
from borderlink.server.deps import SESSION_COOKIE
from borderlink.services.accounts import users as accounts
from borderlink.services.accounts.access import Principal
from borderlink.services.risk import models
from tests.risk import synthetic
from tests.surfaces import PASSWORD, Seeded, client

SMALL = risk.ModelConfig(rounds=20, threads=1, validation_months=1)


def test_analyst_retrains_compares_and_promotes_a_model(app: FastAPI, seeded: Seeded) -> None:
    node = seeded.node
    history = synthetic.declarations(800, seed=5, start=dt.date(2020, 1, 1), days=120)
    synthetic.store(node.engine, history)
    older = models.train(node, Principal.system("tester"), until=dt.date(2020, 3, 31), config=SMALL)
    opened = accounts.open_session(node, accounts.authenticate(node, "risk_analyst-1", PASSWORD))
    officer = accounts.open_session(node, accounts.authenticate(node, "officer-1", PASSWORD))

    async def go() -> list[httpx.Response]:
        async with client(app) as c:
            c.cookies.set(SESSION_COOKIE, opened.token)
            csrf = {"csrf_token": opened.csrf_token}
            retrained = await c.post("/models/train", data=csrf)
            deadline = time.monotonic() + 120
            while (
                'data-state="done"' not in (job := await c.get(retrained.headers["location"])).text
            ):
                assert 'data-state="failed"' not in job.text, job.text
                assert time.monotonic() < deadline, job.text
                await asyncio.sleep(0.1)
            compared = await c.get("/models")
            promoted = await c.post(f"/models/{older.version}/promote", data=csrf)
            after = await c.get("/models")
            c.cookies.set(SESSION_COOKIE, officer.token)
            refused = await c.post(
                f"/models/{older.version}/promote", data={"csrf_token": officer.csrf_token}
            )
            return [retrained, job, compared, promoted, after, refused]

    retrained, job, compared, promoted, after, refused = asyncio.run(go())
    assert retrained.status_code == 303
    assert retrained.headers["location"].startswith("/jobs/")  # followed on the job's page
    assert '<progress id="progress" max="3" value="3">' in job.text
    assert 'href="/models"' in job.text.split('id="summary"')[1]  # back to compare, once done
    [newer] = [
        m for m in models.list_models(node, Principal.system("t")) if m.version != older.version
    ]
    assert f"Model {newer.version} trained on" in job.text
    table = compared.text.split('id="compare"')[1]
    assert table.index(newer.version) < table.index(older.version)  # side by side, newest first
    for row in ("AUC", "Training rows", "Precision at 5% inspected", "Recall at 5% inspected"):
        assert row in table
    assert f'<code>{newer.version}</code> <strong class="active">' in table
    assert promoted.status_code == 303
    assert f'<code>{older.version}</code> <strong class="active">' in after.text
    assert models.load_model(node).version == older.version  # scoring uses the promoted one
    assert refused.status_code == 403
