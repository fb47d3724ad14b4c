"""The models page: retrain on the node's outcomes, compare side by side, promote one."""

from __future__ import annotations

import asyncio
import datetime as dt

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
            compared = await c.get("/models")
            promoted = await c.post(f"/models/{older.version}/promote", data=csrf)
            after = await c.get("/models")
            c.cookies.set(SESSION_COOKIE, officer.token)
            refused = await c.post(
                f"/models/{older.version}/promote", data={"csrf_token": officer.csrf_token}
            )
            return [retrained, compared, promoted, after, refused]

    retrained, compared, promoted, after, refused = asyncio.run(go())
    assert (retrained.status_code, retrained.headers["location"]) == (303, "/models")
    [newer] = [
        m for m in models.list_models(node, Principal.system("t")) if m.version != older.version
    ]
    table = compared.text.split('id="compare"')[1]
    assert table.index(newer.version) < table.index(older.version)  # side by side, newest first
    for row in ("AUC", "Training rows", "Precision at 5% inspected", "Recall at 5% inspected"):
        assert row in table
    assert f'<code>{newer.version}</code> <strong class="active">' in table
    assert promoted.status_code == 303
    assert f'<code>{older.version}</code> <strong class="active">' in after.text
    assert models.load_model(node).version == older.version  # scoring uses the promoted one
    assert refused.status_code == 403
