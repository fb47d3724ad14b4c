"""The referrals pages: an agency officer's work list, answering with and without the form's
CSRF token, the detail page, clearance times and the rules."""

from __future__ import annotations

import asyncio

import httpx
from fastapi import FastAPI

from borderlink.server.deps import SESSION_COOKIE
from borderlink.services.accounts import users as accounts
from tests.surfaces import AGENCY, PASSWORD, Seeded, client, seed_referrals


def session(seeded: Seeded, username: str) -> tuple[str, str]:
    opened = accounts.open_session(
        seeded.node, accounts.authenticate(seeded.node, username, PASSWORD)
    )
    return opened.token, opened.csrf_token


def test_the_agency_officer_answers_on_the_referrals_own_page(app: FastAPI, seeded: Seeded) -> None:
    ids = seed_referrals(seeded)
    token, csrf = session(seeded, "agency_officer-1")
    target = ids["health"]

    async def go() -> list[httpx.Response]:
        async with client(app) as c:
            c.cookies.set(SESSION_COOKIE, token)
            listing = await c.get("/referrals")
            forged = await c.post(f"/referrals/{target}/answer", data={"status": "cleared"})
            answered = await c.post(
                f"/referrals/{target}/answer",
                data={
                    "csrf_token": csrf,
                    "status": "held",
                    "finding": "sample taken",
                    "next": "/referrals?status=held",
                },
            )
            held = await c.get("/referrals?status=held")
            detail = await c.get(f"/referrals/{target}")
            closed = await c.post(
                f"/referrals/{target}/answer",
                data={"csrf_token": csrf, "status": "cleared", "finding": "lab: no residues"},
            )
            after = await c.get(closed.headers["location"])
            other = await c.get(f"/referrals/{ids['police']}")
            return [listing, forged, answered, held, detail, closed, after, other]

    listing, forged, answered, held, detail, closed, after, other = asyncio.run(go())
    assert listing.status_code == 200
    assert f"Referrals to {AGENCY}" in listing.text
    assert seeded.office_a[0] in listing.text
    assert seeded.office_b[0] not in listing.text  # the police's
    # The list links to each referral's page, where the one answer form is: no form per row.
    assert f'href="/referrals/{target}#answer"' in listing.text
    assert 'action="/referrals/' not in listing.text
    assert listing.text.count("<form") == 3  # the filter, the sign-out, the language switcher
    assert 'id="answer"' in detail.text
    assert 'name="finding"' in detail.text
    assert "a-to-health" in listing.text  # the rule routing to this agency
    assert "b-to-police" not in listing.text
    assert 'id="clearance"' in listing.text
    assert forged.status_code == 403
    assert (answered.status_code, answered.headers["location"]) == (303, "/referrals?status=held")
    assert "sample taken" in held.text
    assert seeded.office_a[1] not in held.text  # still open: filtered out
    assert '<strong class="status-held">held</strong>' in detail.text
    assert "[redacted]" in detail.text
    assert 'value="cleared"' in detail.text  # held: only what the lifecycle allows next
    assert 'value="acknowledged"' not in detail.text
    assert (closed.status_code, closed.headers["location"]) == (303, f"/referrals/{target}?saved=1")
    assert "Answer recorded." in after.text
    assert "lab: no residues" in after.text
    assert "Send the answer" not in after.text  # closed: no more answers
    assert other.status_code == 404


def test_customs_reads_referrals_with_times_and_a_chart(app: FastAPI, seeded: Seeded) -> None:
    ids = seed_referrals(seeded)
    agency_token, csrf = session(seeded, "agency_officer-1")
    token, _ = session(seeded, "risk_analyst-1")

    async def go() -> tuple[httpx.Response, httpx.Response]:
        async with client(app) as c:
            c.cookies.set(SESSION_COOKIE, agency_token)
            await c.post(
                f"/referrals/{ids['health']}/answer",
                data={"csrf_token": csrf, "status": "cleared"},
            )
        async with client(app) as c:
            c.cookies.set(SESSION_COOKIE, token)
            return await c.get("/referrals"), await c.get(f"/referrals/{ids['health']}")

    listing, detail = asyncio.run(go())
    assert seeded.office_b[0] in listing.text  # everything, for an analyst
    assert "Answer referral" not in listing.text  # customs does not answer for an agency
    assert "Median hours from referral to decision" in listing.text  # the chart
    assert "all agencies" in listing.text
    assert f'href="/declarations/{seeded.office_a[0]}"' in detail.text
    assert "IMP-1" in detail.text
