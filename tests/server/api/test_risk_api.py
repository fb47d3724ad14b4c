from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import httpx

from borderlink import risk
from borderlink.server.app import create_app
from borderlink.services import Node
from borderlink.services.accounts import users as accounts
from borderlink.services.accounts.access import Principal, Role
from borderlink.services.risk import models
from borderlink.services.risk._store import read_items
from tests.risk import synthetic
from tests.surfaces import PASSWORD, fast

ADMIN = Principal.system("test-admin")


def call(node: Node, method: str, url: str, **kwargs: Any) -> httpx.Response:
    token = accounts.issue_token(node, ADMIN, username="analyst", name="t", reason="test").token

    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=create_app(node=node))
        headers = {"Authorization": f"Bearer {token}"}
        async with httpx.AsyncClient(
            transport=transport, base_url="http://node", headers=headers
        ) as client:
            return await client.request(method, url, **kwargs)

    return asyncio.run(go())


def test_score_on_arrival_and_outcome(node: Node) -> None:
    node = fast(node)
    accounts.add_user(node, ADMIN, username="analyst", password=PASSWORD, role=Role.ADMINISTRATOR)
    history = synthetic.declarations(800, seed=21, start=dt.date(2020, 1, 1), days=90)
    synthetic.store(node.engine, history)
    models.train(
        node,
        Principal.system("tester"),
        config=risk.ModelConfig(rounds=20, threads=1, validation_months=1),
    )
    new = synthetic.declarations(3, seed=22, start=dt.date(2020, 5, 1), days=1)
    synthetic.store(node.engine, new, with_outcomes=False)
    declaration = new["declaration_id"][0]
    scored = call(node, "POST", f"/api/v1/risk/score/{declaration}")
    assert scored.status_code == 200, scored.text
    body = scored.json()
    assert body["declaration_id"] == declaration
    assert body["channel"] in {"red", "yellow", "green"}
    assert body["model_version"].startswith("rm-")
    missing = call(node, "POST", "/api/v1/risk/score/nope")
    assert missing.status_code == 404
    assert missing.json()["error"] == "not_found"
    recorded = call(
        node, "POST", "/api/v1/risk/outcomes", json={"declaration_id": declaration, "illicit": True}
    )
    assert recorded.status_code == 204
    assert declaration in read_items(node, labelled_only=True)["declaration_id"]


def test_a_submitted_declaration_is_scored_on_arrival(node: Node) -> None:
    node = fast(node)
    accounts.add_user(node, ADMIN, username="analyst", password=PASSWORD, role=Role.ADMINISTRATOR)
    history = synthetic.declarations(800, seed=23, start=dt.date(2020, 1, 1), days=90)
    synthetic.store(node.engine, history)
    models.train(
        node,
        Principal.system("tester"),
        config=risk.ModelConfig(rounds=20, threads=1, validation_months=1),
    )
    sent = {
        "id": "ARRIVING-1",
        "date": "2020-05-02",
        "office": "OF1",
        "parties": [{"id": "IMP-NEW", "role": "importer"}],
        "items": [{"hs_code": "851713", "value": 100, "currency": "USD", "origin_country": "CN"}],
    }
    answer = call(node, "POST", "/api/v1/declarations", json=[sent, {"id": "BROKEN"}])
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["summary"]["accepted"], body["summary"]["rejected"]) == (1, 1)
    [scored] = body["scores"]
    assert scored["declaration_id"] == "ARRIVING-1"
    assert scored["channel"] in {"red", "yellow", "green"}
