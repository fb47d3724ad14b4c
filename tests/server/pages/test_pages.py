"""The pages without a browser: sign-in flow, redirects, redaction, CSRF on forms, retry."""

from __future__ import annotations

import asyncio
import re
from typing import Any

import httpx
from fastapi import FastAPI

from borderlink.model import Outcome
from borderlink.server.deps import SESSION_COOKIE
from borderlink.services.accounts import users as accounts
from borderlink.services.accounts.access import Role
from borderlink.services.declarations import browse
from borderlink.services.declarations import read as declarations
from tests.surfaces import DAY, PASSWORD, Seeded, client, seed_agreement, seed_partner, seed_scores


def _session(seeded: Seeded, username: str) -> tuple[dict[str, str], str]:
    opened = accounts.open_session(
        seeded.node, accounts.authenticate(seeded.node, username, PASSWORD)
    )
    return {SESSION_COOKIE: opened.token}, opened.csrf_token


def _run(coro: Any) -> Any:
    return asyncio.run(coro)


def test_sign_in_returns_to_the_page_asked_for_and_never_elsewhere(app: FastAPI) -> None:
    async def go() -> list[httpx.Response]:
        async with client(app) as c:
            first = await c.get("/declarations?office_id=OFA")
            good = await c.post(
                "/login",
                data={"username": "risk_analyst-1", "password": PASSWORD, "next": "/declarations"},
            )
        async with client(app) as c:
            evil = await c.post(
                "/login",
                data={"username": "risk_analyst-1", "password": PASSWORD, "next": "//evil.example"},
            )
            wrong = await c.post("/login", data={"username": "risk_analyst-1", "password": "no"})
        return [first, good, evil, wrong]

    first, good, evil, wrong = _run(go())
    assert first.status_code == 303
    assert first.headers["location"] == "/login?next=/declarations%3Foffice_id%3DOFA"
    assert (good.status_code, good.headers["location"]) == (303, "/declarations")
    assert evil.headers["location"] == "/"
    assert wrong.status_code == 401
    assert "Wrong username or password" in wrong.text


def test_liaison_officer_page_withholds_parties(app: FastAPI, seeded: Seeded) -> None:
    cookies, _ = _session(seeded, "liaison_officer-1")

    async def go() -> tuple[str, str]:
        async with client(app) as c:
            c.cookies.update(cookies)
            listing = (await c.get("/declarations")).text
            detail = (await c.get(f"/declarations/{seeded.office_a[0]}")).text
            return listing, detail

    listing, detail = _run(go())
    assert "IMP-1" not in listing
    assert "[redacted]" in listing
    assert "Acme" not in detail
    assert "Party identities are withheld" in detail
    assert 'name="importer_id"' not in listing  # no filter by party for them
    assert "Record outcome" not in detail  # not theirs to record


def test_forms_need_the_sessions_csrf_token(app: FastAPI, seeded: Seeded) -> None:
    cookies, csrf = _session(seeded, "officer-1")
    target = f"/declarations/{seeded.office_a[0]}/outcome"

    async def go() -> list[int]:
        async with client(app) as c:
            c.cookies.update(cookies)
            return [
                (await c.post(target, data={"illicit": "yes"})).status_code,
                (await c.post(target, data={"illicit": "yes", "csrf_token": "x"})).status_code,
                (await c.post(target, data={"illicit": "yes", "csrf_token": csrf})).status_code,
                (await c.post(target, data={"csrf_token": csrf, "severity": "ten"})).status_code,
            ]

    assert _run(go()) == [403, 403, 303, 400]


def test_rejects_page_shows_reasons_and_retries(app: FastAPI, seeded: Seeded) -> None:
    cookies, csrf = _session(seeded, "administrator-1")

    async def go() -> tuple[str, str]:
        async with client(app) as c:
            c.cookies.update(cookies)
            listing = (await c.get("/rejects")).text
            retried = await c.post("/rejects/retry", data={"csrf_token": csrf, "reject_id": "1"})
            return listing, retried.text

    listing, retried = _run(go())
    assert "missing" in listing  # the reason of the seeded reject
    assert "declared_on" in listing
    assert "Retried 1: 0 resolved, 1 still rejected." in retried


def test_audit_page_filters_by_action(app: FastAPI, seeded: Seeded) -> None:
    cookies, _ = _session(seeded, "auditor-1")

    async def go() -> str:
        async with client(app) as c:
            c.cookies.update(cookies)
            return (await c.get("/audit", params={"action": "auth."})).text

    page = _run(go())
    assert "auth.login" in page
    assert "token.create" not in page


def test_every_answer_forbids_framing_sniffing_and_scripts(app: FastAPI) -> None:
    async def go() -> list[httpx.Response]:
        async with client(app) as c:
            return [await c.get("/login"), await c.get("/api/v1/health"), await c.get("/nope")]

    for response in _run(go()):
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["x-content-type-options"] == "nosniff"
        assert "script-src 'none'" in response.headers["content-security-policy"]


def test_home_is_the_first_page_the_role_may_see(app: FastAPI, seeded: Seeded) -> None:
    async def go(username: str) -> httpx.Response:
        cookies, _ = _session(seeded, username)
        async with client(app) as c:
            c.cookies.update(cookies)
            return await c.get("/")

    assert _run(go("officer-1")).headers["location"] == "/dashboard"
    assert _run(go("auditor-1")).headers["location"] == "/audit"
    assert _run(go("agency_officer-1")).headers["location"] == "/referrals"


def test_liaison_officer_walks_an_agreement_through_its_lifecycle(
    app: FastAPI, seeded: Seeded
) -> None:
    seed_agreement(seeded.node, "AB-1")
    seed_partner(seeded.node, "node-b")
    cookies, csrf = _session(seeded, "liaison_officer-1")

    async def go() -> list[httpx.Response]:
        async with client(app) as c:
            c.cookies.update(cookies)
            before = await c.get("/agreements")
            moved = await c.post(
                "/agreements/AB-1/transition",
                data={"csrf_token": csrf, "to": "signed", "reason": "signed in Geneva"},
            )
            skipped = await c.post(
                "/agreements/AB-1/transition",
                data={"csrf_token": csrf, "to": "expired"},
                headers={"referer": "http://testserver/agreements"},
            )
            after = await c.get("/agreements")
            listed = await c.get("/partners")
            return [before, moved, skipped, after, listed]

    before, moved, skipped, after, listed = _run(go())
    assert "<strong>draft</strong>" in before.text
    assert "seizure: parties" in before.text  # what is removed before release
    moves = r'<select id="to-1" name="to">\s*((?:<option value="[a-z_]+">[^<]*</option>)*)'
    offered = re.findall(r'value="([a-z_]+)"', re.findall(moves, before.text)[0])
    assert offered == ["signed"]  # from a draft, only the next step of the lifecycle
    assert moved.status_code == 303
    assert skipped.status_code == 409  # a lifecycle step that does not exist
    assert "What to do:" in skipped.text
    assert "reload the page" in skipped.text
    assert 'href="/agreements">Go back' in skipped.text
    assert "Something went wrong" not in skipped.text
    assert "<strong>signed</strong>" in after.text
    assert re.findall(r'value="([a-z_]+)"', re.findall(moves, after.text)[0]) == ["ratified"]
    assert "Customs of Borduria" in listed.text
    auditor = accounts.token_principal(seeded.node, seeded.tokens[Role.AUDITOR])
    [entry] = browse.list_audit(seeded.node, auditor, action="agreement.transition").items
    assert (entry.actor, entry.object_id, entry.reason) == (
        "liaison_officer-1",
        "AB-1",
        "signed in Geneva",
    )


def test_dashboard_charts_clearance_times_of_held_declarations(
    app: FastAPI, seeded: Seeded
) -> None:
    seed_scores(seeded.node, {seeded.office_a[0]: "red", seeded.office_b[0]: "green"})
    admin = accounts.token_principal(seeded.node, seeded.tokens[Role.ADMINISTRATOR])
    declarations.record_outcome(
        seeded.node, admin, Outcome(declaration_id=seeded.office_a[0], illicit=True)
    )
    cookies, _ = _session(seeded, "administrator-1")

    async def go() -> str:
        async with client(app) as c:
            c.cookies.update(cookies)
            return (await c.get(f"/dashboard?day={DAY}")).text

    page = _run(go())
    assert "Median time from arrival to release, in s" in page  # the chart's title, its unit
    row = page.split(f">{DAY}</a></th>", 1)[1].split("</tr>", 1)[0]
    cells = [c.split("</td>")[0] for c in row.split("<td>")[1:]]
    assert cells[4:7] == ["1", "1", "0"]  # held, released, waiting
    assert re.fullmatch(r"\d+ s / \d+ s", cells[7])  # released within the minute: in seconds


def test_an_administrator_adds_a_user_who_must_then_choose_a_password(
    app: FastAPI, seeded: Seeded
) -> None:
    cookies, csrf = _session(seeded, "administrator-1")
    form = {"csrf_token": csrf, "role": "officer", "office_id": "OFA", "password": PASSWORD}

    async def go() -> list[httpx.Response]:
        async with client(app) as c:
            c.cookies.update(cookies)
            added = await c.post("/users", data=form | {"username": "new.officer"})
            again = await c.post("/users", data=form | {"username": "NEW.officer"})
            no_office = await c.post("/users", data=form | {"username": "x2", "office_id": ""})
            return [added, again, no_office, await c.get("/users")]

    added, again, no_office, listed = _run(go())
    assert added.status_code == 303
    assert again.status_code == 400
    assert "already exists" in again.text
    assert 'value="NEW.officer"' in again.text  # the form stays filled in
    assert no_office.status_code == 400
    assert "needs an office" in no_office.text
    assert "new.officer" in listed.text
    principal = accounts.authenticate(seeded.node, "new.officer", PASSWORD)
    assert principal.password_change_due  # a temporary password: changing it is all it allows


def test_an_analyst_corrects_a_rejected_record_on_its_page(app: FastAPI, seeded: Seeded) -> None:
    cookies, csrf = _session(seeded, "risk_analyst-1")

    async def go() -> list[httpx.Response]:
        async with client(app) as c:
            c.cookies.update(cookies)
            page = await c.get("/rejects/1")
            wrong = await c.post("/rejects/1", data={"csrf_token": csrf, "f:nope": "x"})
            return [page, wrong]

    page, wrong = _run(go())
    assert page.status_code == 200
    assert 'name="f:' in page.text  # each field of the record as read is an input
    assert "Correct and retry" in page.text
    assert wrong.status_code == 400
    assert "has no field &#39;nope&#39;" in wrong.text
