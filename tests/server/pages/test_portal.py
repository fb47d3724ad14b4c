"""The public trade portal over HTTP: anonymous, cacheable, the same page for everyone, and
no party data in it."""

from __future__ import annotations

import asyncio

import httpx
from fastapi import FastAPI

from borderlink.server.deps import SESSION_COOKIE
from borderlink.services.accounts import users as accounts
from borderlink.services.accounts.access import Principal
from borderlink.services.coordination import agency_rules
from tests.services.trade.test_portal import FRUIT
from tests.surfaces import PASSWORD, Seeded, client, seed_scores

PARTY_DATA = ("IMP-1", "EXP-1", "Acme Imports", "Zeta Trading")


def test_anonymous_search_and_goods_pages_are_public_and_name_nobody(
    app: FastAPI, seeded: Seeded
) -> None:
    ids = seeded.office_a + seeded.office_b
    seed_scores(seeded.node, dict.fromkeys(ids, "green"))
    agency_rules.save_rules(seeded.node, Principal.system("test"), [FRUIT])
    opened = accounts.open_session(
        seeded.node, accounts.authenticate(seeded.node, "administrator-1", PASSWORD)
    )

    async def go(signed_in: bool) -> list[httpx.Response]:
        async with client(app) as c:
            if signed_in:
                c.cookies.set(SESSION_COOKIE, opened.token)
            return [
                await c.get("/portal?q=oranges"),
                await c.get("/portal/goods?hs=080510&origin=MA"),
                await c.get("/portal/goods?hs=080510&origin=QQ"),
            ]

    search, goods, unknown = asyncio.run(go(signed_in=False))
    assert search.status_code == goods.status_code == 200
    assert search.headers["cache-control"] == "public, max-age=300"
    assert "080510" in search.text
    assert "plant-health" in goods.text
    assert "phytosanitary certificate" in goods.text
    assert '<th scope="row">green</th><td>6</td>' in goods.text
    assert unknown.status_code == 404
    for text in (search.text, goods.text):
        for secret in (*PARTY_DATA, *ids):
            assert secret not in text
    # Signed in, the page is the very same (so a shared cache never holds someone's page).
    _, goods_signed_in, _ = asyncio.run(go(signed_in=True))
    assert goods_signed_in.text == goods.text
    assert "administrator-1" not in goods_signed_in.text
