"""Channel and risk outside the queue: the declarations list (page, API, CSV export) shows
them and searches by id, trader, HS code, channel and date; an inspected red stays findable."""

from __future__ import annotations

import asyncio
import csv
import io
from typing import Any

import httpx
from fastapi import FastAPI

from borderlink.server.deps import SESSION_COOKIE
from borderlink.services.accounts import users as accounts
from borderlink.services.accounts.access import Role
from tests.surfaces import PASSWORD, Seeded, client, seed_scores


def _run(coro: Any) -> Any:
    return asyncio.run(coro)


def _get(app: FastAPI, seeded: Seeded, role: Role, url: str, **params: str) -> httpx.Response:
    async def go() -> httpx.Response:
        async with client(app, seeded.tokens[role]) as c:
            return await c.get(url, params=params)

    response: httpx.Response = _run(go())
    return response


def test_the_list_shows_channel_and_risk_and_searches(app: FastAPI, seeded: Seeded) -> None:
    a0, a1, a2 = seeded.office_a  # a1 is inspected (illicit)
    seed_scores(seeded.node, {a0: "yellow", a1: "red", a2: "green"})
    analyst = Role.RISK_ANALYST
    listed = _get(app, seeded, analyst, "/api/v1/declarations").json()
    by_id = {d["declaration_id"]: d for d in listed["items"]}
    assert by_id[a1]["channel"] == "red"
    assert by_id[a1]["illicit"] is True
    assert isinstance(by_id[a1]["risk"], float)
    assert by_id[seeded.office_b[0]]["channel"] is None  # not scored
    reds = _get(app, seeded, analyst, "/api/v1/declarations", channel="red").json()
    assert [d["declaration_id"] for d in reds["items"]] == [a1]  # inspected, still findable
    unscored = _get(app, seeded, analyst, "/api/v1/declarations", channel="unscored").json()
    assert {d["declaration_id"] for d in unscored["items"]} == set(seeded.office_b)
    one = _get(app, seeded, analyst, "/api/v1/declarations", declaration_id="D-OFA-").json()
    assert {d["declaration_id"] for d in one["items"]} == set(seeded.office_a)
    dated = _get(
        app,
        seeded,
        analyst,
        "/api/v1/declarations",
        declared_from="2026-11-19",
        declared_to="2026-11-19",
        hs_prefix="8517",
    ).json()
    assert {d["declaration_id"] for d in dated["items"]} == {a1, seeded.office_b[1]}
    trader = _get(app, seeded, analyst, "/api/v1/declarations", trader="EXP-1").json()
    assert trader["total"] == 6  # the seller of every seeded declaration
    bad = _get(app, seeded, analyst, "/api/v1/declarations", channel="purple")
    assert bad.status_code in (400, 422)


def test_a_trader_search_needs_nominal_read(app: FastAPI, seeded: Seeded) -> None:
    refused = _get(app, seeded, Role.LIAISON_OFFICER, "/api/v1/declarations", trader="IMP-1")
    assert refused.status_code == 403


def test_the_page_and_the_export_carry_channel_and_risk(app: FastAPI, seeded: Seeded) -> None:
    a0, a1, _ = seeded.office_a
    seed_scores(seeded.node, {a0: "yellow", a1: "red"})
    opened = accounts.open_session(
        seeded.node, accounts.authenticate(seeded.node, "risk_analyst-1", PASSWORD)
    )

    async def go() -> httpx.Response:
        async with client(app) as c:
            c.cookies.set(SESSION_COOKIE, opened.token)
            return await c.get("/declarations", params={"channel": "red"})

    page: httpx.Response = _run(go())
    assert page.status_code == 200
    assert '<strong class="channel-red">red</strong>' in page.text
    assert a1 in page.text
    assert a0 not in page.text
    export = _get(app, seeded, Role.RISK_ANALYST, "/api/v1/declarations/export", channel="red")
    rows = list(csv.DictReader(io.StringIO(export.text)))
    assert [r["declaration_id"] for r in rows] == [a1]
    assert rows[0]["channel"] == "red"
    assert float(rows[0]["risk"]) >= 0
