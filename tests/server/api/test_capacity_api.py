"""``/api/v1/training`` and ``/api/v1/certifications``: the certification gate refuses an
uncertified officer an NII result (and an analyst a profile forcing red) until a course is
recorded; everyone reads their own standing, administrators everyone's."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import httpx
from fastapi import FastAPI

from borderlink.services.accounts.access import Role
from tests.surfaces import Seeded, client

TODAY = dt.datetime.now(dt.UTC).date()


def call(app: FastAPI, seeded: Seeded, role: Role, method: str, url: str, **kw: Any) -> Any:
    async def go() -> httpx.Response:
        async with client(app, seeded.tokens[role]) as c:
            return await c.request(method, url, **kw)

    return asyncio.run(go())


def course(who: str, certification: str, days_left: int) -> dict[str, Any]:
    return {
        "username": who,
        "course": f"{certification}-1",
        "completed_on": str(TODAY - dt.timedelta(days=10)),
        "result": "passed",
        "certification": certification,
        "expires_on": str(TODAY + dt.timedelta(days=days_left)),
    }


def test_an_uncertified_officer_is_refused_an_nii_result_until_certified(
    app: FastAPI, seeded: Seeded
) -> None:
    required = call(
        app,
        seeded,
        Role.ADMINISTRATOR,
        "POST",
        "/api/v1/certifications/requirements",
        json=[{"action": "nii-result", "certification": "nii-image-analysis", "reason": "images"}],
    )
    assert required.json() == [
        {"action": "nii-result", "certification": "nii-image-analysis", "change": "added"}
    ]
    url = f"/api/v1/declarations/{seeded.office_a[0]}/outcome"
    nii = {"illicit": True, "severity": 2, "method": "nii"}
    refused = call(app, seeded, Role.OFFICER, "PUT", url, json=nii)
    assert refused.status_code == 403
    assert refused.json() == {
        "error": "permission_denied",
        "detail": "'officer-1' may not nii-result: it needs the certification "
        "nii-image-analysis in force (images)",
        "field": "certification",
    }
    physical = call(app, seeded, Role.OFFICER, "PUT", url, json=nii | {"method": "physical"})
    assert (physical.status_code, physical.json()["method"]) == (200, "physical")
    # The officer may not certify themself; the administrator records the course.
    mine = course("officer-1", "nii-image-analysis", 20)
    assert (
        call(app, seeded, Role.OFFICER, "POST", "/api/v1/training/records", json=mine).status_code
        == 403
    )
    done = call(app, seeded, Role.ADMINISTRATOR, "POST", "/api/v1/training/records", json=mine)
    assert (done.status_code, done.json()["change"]) == (200, "added")
    allowed = call(app, seeded, Role.OFFICER, "PUT", url, json=nii)
    assert (allowed.status_code, allowed.json()["method"]) == (200, "nii")
    standing = call(app, seeded, Role.OFFICER, "GET", "/api/v1/certifications").json()
    # Counted from the server's today, which a run crossing midnight moves past TODAY.
    left = (dt.date.fromisoformat(mine["expires_on"]) - dt.datetime.now(dt.UTC).date()).days
    assert [(c["certification"], c["days_left"]) for c in standing["expiring"]] == [
        ("nii-image-analysis", left)
    ]
    other = call(app, seeded, Role.OFFICER, "GET", "/api/v1/certifications?username=risk_analyst-1")
    assert other.status_code == 403
    # Withdrawn: refused again.
    record_id = done.json()["record"]["record_id"]
    withdrawn = call(
        app,
        seeded,
        Role.ADMINISTRATOR,
        "POST",
        f"/api/v1/training/records/{record_id}/withdraw",
        json={"reason": "misread images in the audit"},
    )
    assert withdrawn.json()["withdrawn_by"] == "administrator-1"
    assert call(app, seeded, Role.OFFICER, "PUT", url, json=nii).status_code == 403


def test_an_uncertified_analyst_may_not_activate_a_profile_forcing_red(
    app: FastAPI, seeded: Seeded
) -> None:
    wanted = [{"action": "profile-force-red", "certification": "risk-analyst", "reason": "stops"}]
    call(
        app, seeded, Role.ADMINISTRATOR, "POST", "/api/v1/certifications/requirements", json=wanted
    )
    red = {"name": "stop-cn", "expression": 'origin == "CN"', "channel": "red", "reason": "CN"}
    refused = call(app, seeded, Role.RISK_ANALYST, "POST", "/api/v1/risk/profiles", json=red)
    assert (refused.status_code, refused.json()["field"]) == (403, "certification")
    mine = course("risk_analyst-1", "risk-analyst", 400)
    call(app, seeded, Role.ADMINISTRATOR, "POST", "/api/v1/training/records", json=mine)
    saved = call(app, seeded, Role.RISK_ANALYST, "POST", "/api/v1/risk/profiles", json=red)
    assert saved.status_code == 201, saved.text
    everyone = call(app, seeded, Role.ADMINISTRATOR, "GET", "/api/v1/certifications").json()
    assert [c["username"] for c in everyone["held"]] == ["risk_analyst-1"]
    assert everyone["expiring"] == []
    bad = call(
        app,
        seeded,
        Role.ADMINISTRATOR,
        "POST",
        "/api/v1/training/records",
        json=mine | {"expires_on": "2000-01-01"},
    )
    assert (bad.status_code, bad.json()["error"]) == (400, "invalid_input")
