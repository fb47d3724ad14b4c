"""The watchlist and hits pages: the lists, a list's entries, the analyst's work list with a
decision form (refused without the CSRF token), one hit beside its entry."""

from __future__ import annotations

import asyncio
import re

import httpx
from fastapi import FastAPI

from borderlink.server.deps import SESSION_COOKIE
from borderlink.services.accounts import users as accounts
from tests.server.api.test_screening_api import seed_hits
from tests.surfaces import PASSWORD, Seeded, client


def session(seeded: Seeded, username: str) -> tuple[str, str]:
    opened = accounts.open_session(
        seeded.node, accounts.authenticate(seeded.node, username, PASSWORD)
    )
    return opened.token, opened.csrf_token


def test_the_analyst_decides_from_the_work_list(app: FastAPI, seeded: Seeded) -> None:
    seed_hits(seeded)
    token, csrf = session(seeded, "risk_analyst-1")

    async def go() -> list[httpx.Response]:
        async with client(app) as c:
            c.cookies.set(SESSION_COOKIE, token)
            listing = await c.get("/screening/hits")
            hit = re.search(r'href="/screening/hits/(\d+)"', listing.text)
            assert hit is not None
            target = hit.group(1)
            forged = await c.post(
                f"/screening/hits/{target}/decision", data={"decision": "dismiss", "reason": "x"}
            )
            decided = await c.post(
                f"/screening/hits/{target}/decision",
                data={
                    "csrf_token": csrf,
                    "decision": "dismiss",
                    "reason": "another Acme, checked",
                    "next": "/screening/hits?status=dismissed",
                },
            )
            dismissed = await c.get("/screening/hits?status=dismissed")
            detail = await c.get(f"/screening/hits/{target}")
            lists = await c.get("/watchlists")
            entries = await c.get("/watchlists/SDN?q=acme")
            return [listing, forged, decided, dismissed, detail, lists, entries]

    listing, forged, decided, dismissed, detail, lists, entries = asyncio.run(go())
    assert listing.status_code == 200
    assert "IMP-1" in listing.text
    assert "SDN 501" in listing.text
    assert 'aria-label="Decide hit' in listing.text
    assert 'href="/screening/hits"' in listing.text  # in the navigation
    assert forged.status_code == 403
    assert (decided.status_code, decided.headers["location"]) == (
        303,
        "/screening/hits?status=dismissed",
    )
    assert "another Acme, checked" in dismissed.text
    assert '<strong class="status-dismissed">dismissed</strong>' in detail.text
    assert "ACME IMPORTS LIMITED" in detail.text
    assert "(primary)" in detail.text
    assert 'href="/watchlists/SDN"' in lists.text
    assert "1 entry" in entries.text
    assert "ACME IMP" in entries.text


def test_the_officer_reads_lists_but_not_hits(app: FastAPI, seeded: Seeded) -> None:
    seed_hits(seeded)
    token, _ = session(seeded, "officer-1")

    async def go() -> tuple[httpx.Response, httpx.Response]:
        async with client(app) as c:
            c.cookies.set(SESSION_COOKIE, token)
            return await c.get("/watchlists"), await c.get("/screening/hits")

    lists, work = asyncio.run(go())
    assert lists.status_code == 200
    assert 'href="/screening/hits"' not in lists.text
    assert work.status_code == 403
