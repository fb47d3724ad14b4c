"""``/api/v1/referrals`` and ``/api/v1/agency-rules``: what an agency officer, an analyst and an
officer get, answers through the API, and the error bodies."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import select

from borderlink.services.accounts.access import Role
from borderlink.store.tables import audit_log
from tests.surfaces import AGENCY, Seeded, client, seed_referrals


def call(app: FastAPI, seeded: Seeded, role: Role, method: str, url: str, **kw: Any) -> Any:
    async def go() -> httpx.Response:
        async with client(app, seeded.tokens[role]) as c:
            return await c.request(method, url, **kw)

    return asyncio.run(go())


def test_the_agency_officer_lists_and_answers_only_their_agency(
    app: FastAPI, seeded: Seeded
) -> None:
    ids = seed_referrals(seeded)
    mine = call(app, seeded, Role.AGENCY_OFFICER, "GET", "/api/v1/referrals").json()
    assert mine["total"] == 3
    assert {r["agency"] for r in mine["items"]} == {AGENCY}
    assert all(r["status"] == "open" for r in mine["items"])
    other = call(app, seeded, Role.AGENCY_OFFICER, "GET", f"/api/v1/referrals/{ids['police']}")
    assert other.status_code == 404
    assert other.json() == {
        "error": "not_found",
        "detail": f"no referral {ids['police']}",
        "field": "referral_id",
    }
    url = f"/api/v1/referrals/{ids['health']}"
    detail = call(app, seeded, Role.AGENCY_OFFICER, "GET", url).json()
    assert detail["importer_id"] == "[redacted]"
    assert [g["hs_code"] for g in detail["goods"]] == ["851762", "851762"]
    held = call(
        app,
        seeded,
        Role.AGENCY_OFFICER,
        "POST",
        url + "/answer",
        json={"status": "held", "finding": "documents missing"},
    )
    assert held.status_code == 200, held.text
    assert (held.json()["status"], held.json()["finding"]) == ("held", "documents missing")
    back = call(app, seeded, Role.AGENCY_OFFICER, "POST", url + "/answer", json={"status": "open"})
    assert back.status_code == 409
    assert back.json()["field"] == "status"
    bad = call(app, seeded, Role.AGENCY_OFFICER, "POST", url + "/answer", json={"status": "ok"})
    assert (bad.status_code, bad.json()["error"]) == (400, "invalid_input")
    assert bad.json()["field"] == "status"
    # customs sees the finding; clearance times count the answer
    seen = call(app, seeded, Role.OFFICER, "GET", url).json()
    assert (seen["status"], seen["importer_id"]) == ("held", "IMP-1")
    times = call(app, seeded, Role.RISK_ANALYST, "GET", "/api/v1/referrals/clearance").json()
    by_agency = {t["agency"]: t for t in times}
    assert by_agency[AGENCY]["statuses"]["held"] == 1
    assert by_agency["all agencies"]["referrals"] == 6
    assert by_agency["all agencies"]["pending"] == 5
    mine = call(app, seeded, Role.AGENCY_OFFICER, "GET", "/api/v1/referrals/clearance").json()
    assert [t["agency"] for t in mine] == [AGENCY, "all agencies"]


def test_lists_filter_and_page(app: FastAPI, seeded: Seeded) -> None:
    seed_referrals(seeded)
    police = call(
        app, seeded, Role.RISK_ANALYST, "GET", "/api/v1/referrals?agency=police&limit=2"
    ).json()
    assert (police["total"], len(police["items"]), police["limit"]) == (3, 2, 2)
    officer = call(app, seeded, Role.OFFICER, "GET", "/api/v1/referrals").json()
    assert officer["total"] == 3  # office A's only
    wrong = call(app, seeded, Role.RISK_ANALYST, "GET", "/api/v1/referrals?status=lost")
    assert (wrong.status_code, wrong.json()["field"]) == (400, "status")


def test_analysts_keep_the_rules_and_route(app: FastAPI, seeded: Seeded) -> None:
    rule = {"name": "cn", "agency": "standards", "condition": 'origin == "CN"', "reason": "CN"}
    saved = call(app, seeded, Role.RISK_ANALYST, "POST", "/api/v1/agency-rules", json=[rule])
    assert saved.json() == [{"name": "cn", "agency": "standards", "change": "added"}]
    again = call(app, seeded, Role.RISK_ANALYST, "POST", "/api/v1/agency-rules", json=[rule])
    assert again.json()[0]["change"] == "unchanged"
    broken = rule | {"condition": 'origin = "CN"'}
    refused = call(app, seeded, Role.RISK_ANALYST, "POST", "/api/v1/agency-rules", json=[broken])
    assert refused.status_code == 400
    assert refused.json()["error"] == "invalid_expression"
    routed = call(app, seeded, Role.RISK_ANALYST, "POST", "/api/v1/referrals/route", json={})
    assert routed.json() == {
        "declarations": 6,
        "referred": 6,
        "already": 0,
        "agencies": {"standards": 6},
    }
    listed = call(app, seeded, Role.AGENCY_OFFICER, "GET", "/api/v1/agency-rules").json()
    assert listed == []  # no rule routes to the agency officer's agency
    everything = call(app, seeded, Role.OFFICER, "GET", "/api/v1/agency-rules").json()
    assert [r["rule"]["name"] for r in everything] == ["cn"]
    assert everything[0]["updated_by"] == "risk_analyst-1"


def test_a_referral_shown_with_its_importer_is_audited(app: FastAPI, seeded: Seeded) -> None:
    """The API's referral view writes the nominal read, as the queue does; the redacted one
    shows no party and writes nothing."""
    ids = seed_referrals(seeded)
    url = f"/api/v1/referrals/{ids['health']}"
    redacted = call(app, seeded, Role.AGENCY_OFFICER, "GET", url).json()
    assert redacted["importer_id"] == "[redacted]"
    shown = call(app, seeded, Role.RISK_ANALYST, "GET", url).json()
    assert shown["importer_id"] not in (None, "[redacted]")
    with seeded.node.read() as conn:
        reads = conn.execute(
            select(audit_log.c.actor, audit_log.c.object_id).where(
                audit_log.c.action == "referral.read"
            )
        ).all()
    assert reads == [(seeded.users[Role.RISK_ANALYST], str(ids["health"]))]
