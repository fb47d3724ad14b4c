"""The trader page and the network view: history, channels and outcomes, hits, linked
records, the two-hop neighbourhood as a table; the network page allows its own scripts only;
an officer sees their office's declarations only; a liaison officer is refused."""

from __future__ import annotations

import asyncio

import httpx
from fastapi import FastAPI

from borderlink.server.deps import SESSION_COOKIE
from borderlink.services.accounts import users as accounts
from borderlink.services.screening import linking
from tests.server.api.test_screening_api import seed_hits
from tests.surfaces import ADMIN, PASSWORD, Seeded, client


def get(app: FastAPI, seeded: Seeded, username: str, *urls: str) -> list[httpx.Response]:
    opened = accounts.open_session(
        seeded.node, accounts.authenticate(seeded.node, username, PASSWORD)
    )

    async def go() -> list[httpx.Response]:
        async with client(app) as c:
            c.cookies.set(SESSION_COOKIE, opened.token)
            return [await c.get(url) for url in urls]

    return asyncio.run(go())


def test_the_analyst_sees_the_trader_whole(app: FastAPI, seeded: Seeded) -> None:
    seed_hits(seeded)
    linking.link_traders(seeded.node, ADMIN)
    page, net, hits = get(
        app, seeded, "risk_analyst-1", "/traders/IMP-1", "/network?center=party:IMP-1",
        "/screening/hits",
    )  # fmt: skip
    assert page.status_code == 200, page.text
    assert "Acme Imports Ltd" in page.text
    assert '<dd id="fig-declarations">6</dd>' in page.text  # both offices
    assert '<dd id="fig-illicit">1</dd>' in page.text
    assert "SDN 501" in page.text  # its screening hit
    assert "importer, declarant" in page.text  # the roles it played
    assert 'href="/traders/EXP-1"' in page.text  # its neighbourhood
    assert net.status_code == 200
    assert "script-src 'self'" in net.headers["content-security-policy"]
    assert "script-src 'self'" not in page.headers["content-security-policy"]
    assert 'src="/static/vendor/cytoscape-3.35.0.min.js"' in net.text
    assert '"center":"party:IMP-1"' in net.text
    assert 'id="network-nodes"' in net.text  # the table without JavaScript
    assert 'href="/traders/IMP-1"' in hits.text


def test_the_officer_sees_their_office_and_the_liaison_nothing(
    app: FastAPI, seeded: Seeded
) -> None:
    [page] = get(app, seeded, "officer-1", "/traders/IMP-1")
    assert '<dd id="fig-declarations">3</dd>' in page.text  # office A's only
    [refused, missing] = get(
        app, seeded, "liaison_officer-1", "/traders/IMP-1", "/network?center=x"
    )
    assert refused.status_code == 403
    assert missing.status_code == 403
    [unknown, bad] = get(app, seeded, "risk_analyst-1", "/traders/NOPE", "/network?center=x:y")
    assert (unknown.status_code, bad.status_code) == (404, 404)
