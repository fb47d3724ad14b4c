"""The border post in the pages: the declaration's inspection section (nothing preselected, a
joint inspection planned from it, the printable order, the structured report), the agency's
part recorded from the joint inspection page, incidents opened and added to, SOPs rendered
safely and linked from the referral."""

from __future__ import annotations

import asyncio
import re
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import select

from borderlink.server.deps import SESSION_COOKIE
from borderlink.services.accounts import users as accounts
from borderlink.services.accounts.access import Principal
from borderlink.services.cooperation.partners import init_node
from borderlink.services.coordination import sops
from borderlink.store.tables import outcomes
from tests.surfaces import AGENCY, PASSWORD, Seeded, client, seed_referrals, seed_scores


def _run(coro: Any) -> Any:
    return asyncio.run(coro)


async def _as(app: FastAPI, seeded: Seeded, username: str) -> tuple[httpx.AsyncClient, str]:
    opened = accounts.open_session(
        seeded.node, accounts.authenticate(seeded.node, username, PASSWORD)
    )
    browser = client(app)
    browser.cookies.set(SESSION_COOKIE, opened.token)
    return browser, opened.csrf_token


def test_an_officer_plans_a_joint_inspection_and_the_agency_records_its_part(
    app: FastAPI, seeded: Seeded
) -> None:
    ids = seed_referrals(seeded)
    target = seeded.office_a[0]
    seed_scores(seeded.node, {target: "red"})
    sops.publish(
        seeded.node,
        Principal.system("test"),
        sops.SopDraft(agency=AGENCY, referral_type="a-to-health", title="Check A", body="x"),
    )

    async def go() -> dict[str, httpx.Response]:
        officer, csrf = await _as(app, seeded, "officer-1")
        agency, agency_csrf = await _as(app, seeded, "agency_officer-1")
        async with officer, agency:
            page = await officer.get(f"/declarations/{target}")
            planned = await officer.post(
                f"/declarations/{target}/joint-inspection",
                data={
                    "csrf_token": csrf,
                    f"agency:{AGENCY}": "yes",
                    "scheduled_at": "2026-12-03T09:00",
                    "place": "bay 2",
                },
            )
            joint_page = await agency.get(planned.headers["location"])
            action = re.search(r'action="(/referrals/\d+/answer)"', joint_page.text)
            assert action, joint_page.text
            answered = await agency.post(
                action.group(1),
                data={
                    "csrf_token": agency_csrf,
                    "status": "cleared",
                    "finding": "no objection",
                    "next": planned.headers["location"].split("?")[0] + "?saved=1",
                },
            )
            after = await officer.get(answered.headers["location"])
            referral = await agency.get(f"/referrals/{ids['health']}")
            order = await officer.get(f"/declarations/{target}/inspection-order")
            return {
                "page": page,
                "joint": joint_page,
                "after": after,
                "referral": referral,
                "order": order,
            }

    got = _run(go())
    page = got["page"].text
    # nothing preselected: neither the outcome nor the report's result, nor any item's finding
    assert not re.search(r'name="(illicit|result)" value="\w+" required checked', page)
    assert not re.search(r'name="item\d+_as_declared" value="\w+" checked', page)
    assert "Record the inspection outcome" in page
    assert "Plan one joint inspection with" in page
    assert "Check A" in page  # the agency's SOP, linked from the declaration
    assert "Your agency's part" in got["joint"].text
    after = got["after"].text
    assert "no objection" in after
    assert "in progress" in after  # customs has not recorded its outcome yet
    assert f'href="/sops/{AGENCY}/a-to-health"' in got["referral"].text
    assert "joint inspection #" in got["referral"].text
    order = got["order"].text
    assert "Inspection order" in order
    assert "bay 2" in order
    assert "Inspecting officer (name, signature)" in order


def test_the_structured_report_records_its_outcome_from_the_page(
    app: FastAPI, seeded: Seeded
) -> None:
    target = seeded.office_a[0]

    async def go() -> tuple[httpx.Response, httpx.Response, httpx.Response]:
        officer, csrf = await _as(app, seeded, "officer-1")
        async with officer:
            base = {"csrf_token": csrf, "method_physical": "yes", "item1_as_declared": "yes"}
            unchosen = await officer.post(f"/declarations/{target}/inspection-report", data=base)
            done = await officer.post(
                f"/declarations/{target}/inspection-report",
                data=base
                | {
                    "item2_as_declared": "no",
                    "item2_found_description": "counterfeit",
                    "item2_seized_quantity": "12",
                    "result": "irregular",
                    "severity": "3",
                },
            )
            page = await officer.get(f"/declarations/{target}")
            return unchosen, done, page

    unchosen, done, page = _run(go())
    assert unchosen.status_code == 400  # no result chosen: refused, not taken as compliant
    assert "choose compliant or irregular" in unchosen.text
    assert done.status_code == 303
    with seeded.node.engine.connect() as conn:
        row = conn.execute(select(outcomes).where(outcomes.c.declaration_id == target)).one()
    assert (row.illicit, row.severity) == (True, 3)
    assert "counterfeit" in page.text
    assert "Inspection report (version 1" in page.text


def test_incidents_are_opened_added_to_and_issued_for_partners(
    app: FastAPI, seeded: Seeded
) -> None:
    init_node(seeded.node, Principal.system("test"))

    async def go() -> tuple[httpx.Response, httpx.Response, httpx.Response, httpx.Response]:
        officer, csrf = await _as(app, seeded, "officer-1")
        agency, agency_csrf = await _as(app, seeded, "agency_officer-1")
        liaison, liaison_csrf = await _as(app, seeded, "liaison_officer-1")
        async with officer, agency, liaison:
            form = await officer.get("/incidents/new")
            reference = re.search(r'name="reference" value="([^"]+)"', form.text)
            assert reference
            opening = {
                "csrf_token": csrf,
                "reference": reference.group(1),
                "what": "undeclared ivory",
                "where": "bay 3",
                "when": "2026-12-02T09:30",
                "persons": "J. Driver",
            }
            opened = await officer.post("/incidents", data=opening)
            again = await officer.post("/incidents", data=opening)  # a double click
            assert opened.headers["location"] == again.headers["location"]
            where = opened.headers["location"].split("?")[0]
            await agency.post(
                where + "/entries",
                data={"csrf_token": agency_csrf, "entry_key": "e1", "actions": "goods detained"},
            )
            issued = await liaison.post(where + "/seizure", data={"csrf_token": liaison_csrf})
            shown = await officer.get(where)
            listed = await agency.get("/incidents")
            return opened, issued, shown, listed

    opened, issued, shown, listed = _run(go())
    assert opened.status_code == 303
    assert issued.status_code == 303
    text = shown.text
    assert "undeclared ivory" in text
    assert "goods detained" in text
    assert "Seizure report <code>report--" in text
    assert "undeclared ivory" in listed.text


def test_an_sop_renders_markdown_and_never_the_html_in_it(app: FastAPI, seeded: Seeded) -> None:
    body = "# Check\n\n**seals** first <script>alert(1)</script>"

    async def go() -> tuple[httpx.Response, httpx.Response]:
        agency, csrf = await _as(app, seeded, "agency_officer-1")
        async with agency:
            published = await agency.post(
                "/sops", data={"csrf_token": csrf, "title": "Seals", "body": body}
            )
            return published, await agency.get(published.headers["location"])

    published, page = _run(go())
    assert published.headers["location"] == f"/sops/{AGENCY}/any"
    assert "<strong>seals</strong>" in page.text
    assert "<script>alert(1)</script>" not in page.text
    assert "&lt;script&gt;" in page.text
