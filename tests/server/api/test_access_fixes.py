"""Issue 10 (access) through the API: tokens within their creator's credential, no tokens made
in another user's name, reasons redacted like the declaration view, nominal reads audited, the
outcome's officer is the principal."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

from fastapi import FastAPI
from sqlalchemy import insert, select

from borderlink.server.deps import SESSION_COOKIE
from borderlink.services.accounts import users as accounts
from borderlink.services.accounts.access import Permission, Principal, Role
from borderlink.services.declarations import browse
from borderlink.services.risk import waiting
from borderlink.store.risk_tables import scores
from borderlink.store.tables import outcomes
from tests.surfaces import PASSWORD, Seeded, client, seed_referrals

ADMIN = Principal.system("test-admin")
REASONS = [
    {"source": "model", "reason": "entity:exporter", "text": "seller EXP-1: past illicit rate 0%"},
    {"source": "model", "reason": "entity:importer_x_hs6", "text": "importer IMP-1 with HS 851762"},
    {"source": "profile", "profile": "p", "text": "watch IMP-1 closely"},
    {"source": "model", "reason": "unit_value", "text": "unit value 12% of the usual"},
]


def _run(coro: Any) -> Any:
    return asyncio.run(coro)


def _audit(seeded: Seeded, **filters: Any) -> list[browse.AuditEntry]:
    auditor = accounts.token_principal(seeded.node, seeded.tokens[Role.AUDITOR])
    return browse.list_audit(seeded.node, auditor, limit=500, **filters).items


def _score(seeded: Seeded, declaration_id: str, channel: str = "red") -> None:
    with seeded.node.transaction() as conn:
        conn.execute(
            insert(scores).values(
                declaration_id=declaration_id,
                model_version="m1",
                score=0.9,
                risk=0.9,
                channel=channel,
                selection="risk",
                reasons=REASONS,
                scored_at=dt.datetime.now(dt.UTC),
            )
        )
        waiting.refresh(conn, [declaration_id])


def test_a_token_cannot_mint_a_wider_token(app: FastAPI, seeded: Seeded) -> None:
    """Item 1: a token scoped to tokens:own made a token with all the role's scopes."""
    admin = accounts.authenticate(seeded.node, "administrator-1", PASSWORD)
    narrow = accounts.create_token(seeded.node, admin, name="narrow", scopes=["tokens:own"])

    async def go() -> tuple[Any, int]:
        async with client(app, narrow.token) as c:
            default = (await c.post("/api/v1/tokens", json={"name": "child"})).json()
            wide = await c.post("/api/v1/tokens", json={"name": "wide", "scopes": ["users:manage"]})
            return default, wide.status_code

    default, wide = _run(go())
    assert default["info"]["scopes"] == ["tokens:own"]
    child = accounts.token_principal(seeded.node, default["token"])
    assert child.permissions == frozenset({Permission.TOKENS_OWN})
    assert wide == 400


def test_no_token_in_an_agency_officers_name(app: FastAPI, seeded: Seeded) -> None:
    """Item 2: an administrator minted a token for agency-health and answered its referrals."""
    referral = seed_referrals(seeded)["health"]
    agency_user = seeded.users[Role.AGENCY_OFFICER]
    admin_token = seeded.tokens[Role.ADMINISTRATOR]

    async def go() -> tuple[int, Any]:
        async with client(app, admin_token) as c:
            minted = await c.post("/api/v1/tokens", json={"name": "x", "username": agency_user})
            issued = await c.post(
                f"/api/v1/users/{agency_user}/tokens",
                json={"name": "integration", "reason": "a test of the rule"},
            )
            return minted.status_code, issued.json()

    minted, issued = _run(go())
    assert minted == 403
    assert issued["info"]["issued_by"] == "administrator-1"
    assert "referrals:answer" not in issued["info"]["scopes"]

    async def answer(token: str) -> int:
        async with client(app, token) as c:
            body = {"status": "acknowledged", "finding": "seen"}
            return (await c.post(f"/api/v1/referrals/{referral}/answer", json=body)).status_code

    assert _run(answer(issued["token"])) == 403  # the agency rule holds on an issued token
    assert _run(answer(seeded.tokens[Role.AGENCY_OFFICER])) == 200  # the officer's own does
    # the issue for the agency officer (the seed also issued the feed's key)
    [entry] = [
        e
        for e in _audit(seeded, action="token.issue")
        if (e.details or {}).get("user") == agency_user
    ]
    assert entry.actor == "administrator-1"
    assert entry.reason == "a test of the rule"


def test_reasons_are_redacted_for_roles_without_party_access(app: FastAPI, seeded: Seeded) -> None:
    """Item 3: "seller EX000136: past illicit rate 0%" reached a liaison officer."""
    target = seeded.office_a[0]
    _score(seeded, target)

    async def go(token: str) -> tuple[Any, Any]:
        async with client(app, token) as c:
            score = (await c.get(f"/api/v1/risk/score/{target}")).json()
            queue = (await c.get("/api/v1/risk/queue")).json()
            return score, queue

    score, queue = _run(go(seeded.tokens[Role.LIAISON_OFFICER]))
    shown = str(score["reasons"]) + str(queue["items"])
    assert "IMP-1" not in shown
    assert "EXP-1" not in shown
    assert score["reasons"][0]["text"] == "seller [redacted]: past illicit rate 0%"
    assert score["reasons"][2]["text"] == "watch [redacted] closely"
    assert score["reasons"][3] == REASONS[3]  # nothing about a party: unchanged
    assert not _audit(seeded, actor="liaison_officer-1", action="score.read")
    officer_score, _ = _run(go(seeded.tokens[Role.OFFICER]))
    assert officer_score["reasons"] == REASONS  # officers see parties


def test_declaration_page_reasons_are_redacted(seeded: Seeded, app: FastAPI) -> None:
    """Item 3, the page: the liaison officer's declaration page named the seller."""
    target = seeded.office_a[0]
    _score(seeded, target)
    liaison = seeded.users[Role.LIAISON_OFFICER]
    opened = accounts.open_session(
        seeded.node, accounts.authenticate(seeded.node, liaison, PASSWORD)
    )

    async def go() -> str:
        async with client(app) as browser:
            browser.cookies.set(SESSION_COOKIE, opened.token)
            return (await browser.get(f"/declarations/{target}")).text

    html = _run(go())
    assert "past illicit rate" in html
    assert "EXP-1" not in html
    assert "IMP-1" not in html


def test_queue_and_score_reads_with_parties_are_audited(app: FastAPI, seeded: Seeded) -> None:
    """Item 4: the queue showed importer ids with no audit row."""
    target = seeded.office_a[0]
    _score(seeded, target)

    async def go() -> None:
        async with client(app, seeded.tokens[Role.OFFICER]) as c:
            assert (await c.get("/api/v1/risk/queue")).json()["items"]
            assert (await c.get(f"/api/v1/risk/score/{target}")).status_code == 200

    _run(go())
    [queued] = _audit(seeded, actor="officer-1", action="queue.read")
    assert queued.details is not None
    assert queued.details["shown"] == [target]
    [read] = _audit(seeded, actor="officer-1", action="score.read")
    assert read.object_id == target


def test_the_outcome_officer_is_the_principal(app: FastAPI, seeded: Seeded) -> None:
    """Item 7: officer-a posting "officer": "officer-b" stored officer-b."""
    target = seeded.office_a[0]

    async def go() -> int:
        async with client(app, seeded.tokens[Role.OFFICER]) as c:
            body = {"declaration_id": target, "illicit": True, "officer": "someone-else"}
            return (await c.post("/api/v1/risk/outcomes", json=body)).status_code

    assert _run(go()) == 204
    with seeded.node.read() as conn:
        stored = conn.execute(
            select(outcomes.c.officer).where(outcomes.c.declaration_id == target)
        ).scalar_one()
    assert stored == "officer-1"
