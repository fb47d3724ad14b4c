"""A feed's credential (a broker's or a single window's API key) submits declarations and
reads nothing back."""

from __future__ import annotations

import asyncio

import httpx
from fastapi import FastAPI

from borderlink.services.accounts.access import Permission, Principal, Role
from tests.surfaces import Seeded, client


def test_the_feed_role_holds_only_submission() -> None:
    feed = Principal(user_id=9, username="broker-feed", role=Role.FEED)
    assert feed.permissions == {Permission.DECLARATIONS_SUBMIT}


def test_a_feed_key_submits_but_cannot_read_the_queue(app: FastAPI, seeded: Seeded) -> None:
    sent = [{"id": "FEED-1", "date": "2026-11-20", "items": [{"hs_code": "851713"}]}]

    async def go() -> list[httpx.Response]:
        async with client(app, seeded.tokens[Role.FEED]) as c:
            return [
                await c.post("/api/v1/declarations", json=sent),
                await c.get("/api/v1/declarations"),
                await c.get("/api/v1/declarations/FEED-1"),
                await c.get("/api/v1/dashboard"),
                await c.get("/queue"),
            ]

    submitted, listed, read, board, queue = asyncio.run(go())
    assert submitted.status_code in (200, 201), submitted.text
    assert submitted.json()["summary"]["accepted"] == 1
    assert (listed.status_code, read.status_code, board.status_code) == (403, 403, 403)
    assert queue.status_code in (303, 401)  # a key is no browser session: no page opens
