"""``/api/v1/watchlists`` and ``/api/v1/screening/hits``: lists and entries for nominal
readers, the hits work list and decisions for analysts, refusals for the others."""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI

from borderlink.services.accounts.access import Role
from borderlink.services.screening import run, watchlists
from tests.surfaces import ADMIN, Seeded, client

LIST = (
    '501,"ACME IMPORTS LIMITED",-0- ,"SDGT",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,'
    "\"a.k.a. 'ACME IMP'.\"\n"
    '502,"NOBODY WE KNOW",-0- ,"SDGT",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \n'
)


def seed_hits(seeded: Seeded) -> None:
    path = Path(tempfile.mkdtemp()) / "sdn.csv"
    path.write_text(LIST, encoding="utf-8")
    watchlists.load_watchlist(seeded.node, ADMIN, path, "ofac-csv", "SDN")
    run.screen_parties(seeded.node, ADMIN)


def call(app: FastAPI, seeded: Seeded, role: Role, method: str, url: str, **kw: Any) -> Any:
    async def go() -> httpx.Response:
        async with client(app, seeded.tokens[role]) as c:
            return await c.request(method, url, **kw)

    return asyncio.run(go())


def test_lists_and_entries_for_nominal_readers(app: FastAPI, seeded: Seeded) -> None:
    seed_hits(seeded)
    lists = call(app, seeded, Role.OFFICER, "GET", "/api/v1/watchlists").json()
    assert [(w["name"], w["entries"], w["ended"]) for w in lists] == [("SDN", 2, 0)]
    page = call(app, seeded, Role.OFFICER, "GET", "/api/v1/watchlists/SDN/entries?q=acme").json()
    assert page["total"] == 1
    entry = page["items"][0]
    assert (entry["entry_id"], entry["schema"]) == ("501", "Organization")
    assert entry["names"] == ["ACME IMPORTS LIMITED", "ACME IMP"]
    one = call(app, seeded, Role.OFFICER, "GET", "/api/v1/watchlists/SDN/entries/502").json()
    assert one["names"] == ["NOBODY WE KNOW"]
    missing = call(app, seeded, Role.OFFICER, "GET", "/api/v1/watchlists/UN/entries")
    assert (missing.status_code, missing.json()["field"]) == (404, "list_name")
    refused = call(app, seeded, Role.LIAISON_OFFICER, "GET", "/api/v1/watchlists")
    assert refused.status_code == 403


def test_the_analyst_reviews_and_decides_hits(app: FastAPI, seeded: Seeded) -> None:
    seed_hits(seeded)
    page = call(app, seeded, Role.RISK_ANALYST, "GET", "/api/v1/screening/hits").json()
    assert page["total"] == 1
    [hit] = page["items"]
    assert (hit["party_id"], hit["entry_id"], hit["status"]) == ("IMP-1", "501", "open")
    assert "SDN entry 501" in hit["explanation"]
    url = f"/api/v1/screening/hits/{hit['hit_id']}"
    detail = call(app, seeded, Role.RISK_ANALYST, "GET", url).json()
    assert detail["entry"]["names"][0] == "ACME IMPORTS LIMITED"
    bad = call(app, seeded, Role.RISK_ANALYST, "POST", url + "/decision", json={"decision": "ok"})
    assert (bad.status_code, bad.json()["error"]) == (400, "invalid_input")
    decided = call(
        app,
        seeded,
        Role.RISK_ANALYST,
        "POST",
        url + "/decision",
        json={"decision": "confirm", "reason": "same registration number"},
    )
    assert decided.status_code == 200, decided.text
    assert (decided.json()["status"], decided.json()["decided_by"]) == (
        "confirmed",
        "risk_analyst-1",
    )
    confirmed = call(
        app, seeded, Role.RISK_ANALYST, "GET", "/api/v1/screening/hits?status=confirmed"
    ).json()
    assert confirmed["total"] == 1
    assert call(app, seeded, Role.OFFICER, "GET", "/api/v1/screening/hits").status_code == 403
    gone = call(app, seeded, Role.RISK_ANALYST, "GET", "/api/v1/screening/hits/9999")
    assert gone.status_code == 404
