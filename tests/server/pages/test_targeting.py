"""The targeting queue, scores on the declaration page and channels on the dashboard."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
from fastapi import FastAPI

from borderlink.server.deps import SESSION_COOKIE
from borderlink.services.accounts import users as accounts
from borderlink.services.accounts.access import Role
from tests.surfaces import OFFICE_A, PASSWORD, Seeded, client, seed_scores


def _run(coro: Any) -> Any:
    return asyncio.run(coro)


def _scored(seeded: Seeded) -> None:
    a0, a1, a2 = seeded.office_a  # a1 is inspected already (seeded outcome)
    b0 = seeded.office_b[0]
    seed_scores(seeded.node, {a0: "yellow", a1: "red", a2: "green", b0: "red"})


def test_queue_holds_red_then_yellow_not_inspected_within_the_office(
    app: FastAPI, seeded: Seeded
) -> None:
    _scored(seeded)

    # The queue is per day: the seeded declarations are one a day, office A's first on the 20th.
    async def go(role: Role, day: str) -> dict[str, Any]:
        async with client(app, seeded.tokens[role]) as c:
            response = await c.get("/api/v1/risk/queue", params={"day": day})
            assert response.status_code == 200, response.text
            return response.json()  # type: ignore[no-any-return]

    officer = _run(go(Role.OFFICER, "2026-11-20"))
    assert [q["declaration_id"] for q in officer["items"]] == [seeded.office_a[0]]
    assert officer["items"][0]["reasons"][0]["text"].startswith("unit value at 8%")
    analyst = _run(go(Role.RISK_ANALYST, "2026-11-20"))
    assert [(q["declaration_id"], q["channel"]) for q in analyst["items"]] == [
        (seeded.office_b[0], "red"),
        (seeded.office_a[0], "yellow"),
    ]
    assert _run(go(Role.RISK_ANALYST, "2026-11-19"))["total"] == 0  # a1: inspected
    liaison = _run(go(Role.LIAISON_OFFICER, "2026-11-20"))
    assert {q["importer_id"] for q in liaison["items"]} == {"[redacted]"}


def test_one_click_outcome_from_the_queue_and_channels_on_the_dashboard(
    app: FastAPI, seeded: Seeded
) -> None:
    _scored(seeded)
    opened = accounts.open_session(
        seeded.node, accounts.authenticate(seeded.node, "officer-1", PASSWORD)
    )
    target = seeded.office_a[0]

    async def go() -> list[httpx.Response]:
        async with client(app) as c:
            c.cookies.set(SESSION_COOKIE, opened.token)
            before = await c.get("/queue")
            detail = await c.get(f"/declarations/{target}")
            board = await c.get("/api/v1/dashboard")
            clicked = await c.post(
                f"/declarations/{target}/outcome",
                data={"csrf_token": opened.csrf_token, "illicit": "yes", "next": "/queue"},
            )
            after = await c.get("/queue")
            return [before, detail, board, clicked, after]

    before, detail, board, clicked, after = _run(go())
    assert target in before.text
    assert "unit value at 8% of the usual" in before.text
    assert '<strong class="channel-yellow">yellow</strong>' in detail.text
    assert "What raised the score" in detail.text  # the contributions chart
    assert board.json()["channels"] == {"yellow": 1}
    assert (clicked.status_code, clicked.headers["location"]) == (303, "/queue")
    assert target not in after.text


def test_analyst_checks_a_profile_against_history_then_saves_it(
    app: FastAPI, seeded: Seeded
) -> None:
    opened = accounts.open_session(
        seeded.node, accounts.authenticate(seeded.node, "risk_analyst-1", PASSWORD)
    )
    base = {"csrf_token": opened.csrf_token, "name": "cn-switches", "weight": "0.4"}
    base |= {"reason": "switches from CN"}

    async def go() -> list[httpx.Response]:
        async with client(app) as c:
            c.cookies.set(SESSION_COOKIE, opened.token)
            bad = await c.post(
                "/profiles", data=base | {"expression": 'origin == "CN" and', "action": "check"}
            )
            good = await c.post(
                "/profiles", data=base | {"expression": 'origin == "CN"', "action": "check"}
            )
            saved = await c.post(
                "/profiles", data=base | {"expression": 'origin == "CN"', "action": "save"}
            )
            listed = await c.get("/api/v1/risk/profiles")
            return [bad, good, saved, listed]

    bad, good, saved, listed = _run(go())
    assert bad.status_code == 400
    assert "Line 1, column 19:" in bad.text
    assert good.status_code == 200
    assert "would have hit <strong>6</strong>" in good.text  # every seeded declaration is from CN
    assert "hit rate <strong>100%</strong>" in good.text  # the one inspected was illicit
    assert saved.status_code == 303
    [view] = listed.json()
    assert (view["profile"]["name"], view["profile"]["owner"]) == ("cn-switches", "risk_analyst-1")


def _analyst_session(seeded: Seeded) -> Any:
    return accounts.open_session(
        seeded.node, accounts.authenticate(seeded.node, "risk_analyst-1", PASSWORD)
    )


def test_the_check_lists_sample_hits_the_baseline_and_warns_on_a_profile_hitting_everything(
    app: FastAPI, seeded: Seeded
) -> None:
    opened = _analyst_session(seeded)
    base = {"csrf_token": opened.csrf_token, "name": "p", "weight": "0.4", "reason": "r"}

    async def go() -> list[httpx.Response]:
        async with client(app) as c:
            c.cookies.set(SESSION_COOKIE, opened.token)
            everything = await c.post(
                "/profiles", data=base | {"expression": "value / 0 > 1", "action": "check"}
            )
            narrow = await c.post(
                "/profiles",
                data=base | {"expression": f'office == "{OFFICE_A}"', "action": "check"},
            )
            return [everything, narrow]

    everything, narrow = _run(go())
    assert everything.status_code == 200, everything.text
    assert "baseline: 6 of 6 checked" in everything.text
    assert 'id="broad"' in everything.text
    assert "more than 50% of the checked flow" in everything.text
    for declaration in seeded.office_a + seeded.office_b:
        assert f'href="/declarations/{declaration}"' in everything.text
    assert narrow.status_code == 200, narrow.text
    assert "baseline: 3 of 6 checked" in narrow.text
    assert 'id="broad"' not in narrow.text  # half the flow is not "nearly everything"


def test_parser_errors_point_at_what_was_typed(app: FastAPI, seeded: Seeded) -> None:
    opened = _analyst_session(seeded)
    base = {"csrf_token": opened.csrf_token, "name": "p", "weight": "0.4", "reason": "r"}

    async def go() -> list[httpx.Response]:
        async with client(app) as c:
            c.cookies.set(SESSION_COOKIE, opened.token)
            unclosed = await c.post(
                "/profiles", data=base | {"expression": 'origin in ["CN"', "action": "check"}
            )
            call = await c.post(
                "/profiles", data=base | {"expression": '__import__("os")', "action": "check"}
            )
            return [unclosed, call]

    unclosed, call = _run(go())
    assert unclosed.status_code == 400
    assert "unclosed &#39;[&#39; at position 10" in unclosed.text
    assert "Line 1, column 11:" in unclosed.text
    assert "&#39;)&#39;" not in unclosed.text
    assert call.status_code == 400
    assert "function calls are not allowed" in call.text
    assert "ref.median_unit_value(...)" in call.text
    assert "true/false" not in call.text


def test_a_profile_is_edited_disabled_and_enabled_in_the_page_each_a_version(
    app: FastAPI, seeded: Seeded
) -> None:
    opened = _analyst_session(seeded)
    first = {"csrf_token": opened.csrf_token, "name": "cn", "weight": "0.4", "reason": "from CN"}
    first |= {"expression": 'origin == "CN"', "action": "save"}

    async def go() -> list[httpx.Response]:
        async with client(app) as c:
            c.cookies.set(SESSION_COOKIE, opened.token)
            saved = await c.post("/profiles", data=first)
            page = await c.get("/profiles/cn")
            edited = await c.post(
                "/profiles",
                data=first | {"expression": 'origin == "VN"', "valid_to": "2027-01-31"},
            )
            state = {"csrf_token": opened.csrf_token}
            await c.post("/profiles/cn/state", data=state | {"action": "disable"})
            disabled = await c.get("/profiles/cn")
            await c.post("/profiles/cn/state", data=state | {"action": "enable"})
            enabled = await c.get("/profiles/cn")
            return [saved, page, edited, disabled, enabled]

    saved, page, edited, disabled, enabled = _run(go())
    assert (saved.status_code, saved.headers["location"]) == (303, "/profiles/cn")
    assert "&#34;CN&#34;</textarea>" in page.text  # the edit form holds the current version
    assert edited.status_code == 303
    assert "<strong>Disabled</strong>" in disabled.text
    assert 'value="enable"' in disabled.text
    assert 'value="disable"' in enabled.text
    assert [f"v{n}" in enabled.text for n in (1, 2, 3, 4)] == [True] * 4
    assert 'value="2027-01-31"' in enabled.text  # validity kept through disable and enable
    versions = enabled.text.split('id="versions"')[1]
    assert versions.index("v4") < versions.index("v1")  # newest first
