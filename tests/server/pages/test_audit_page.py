"""The audit page says, per entry, whether it is chained into the log and links to its proof."""

from __future__ import annotations

import asyncio
import re

from fastapi import FastAPI

from borderlink.server.deps import SESSION_COOKIE
from borderlink.services.accounts import users as accounts
from borderlink.services.accounts.audit_seal import seal
from tests.surfaces import PASSWORD, Seeded, client


def test_audit_page_shows_leaf_and_proof_link(app: FastAPI, seeded: Seeded) -> None:
    node = seeded.node
    chained = seal(node).chained
    opened = accounts.open_session(node, accounts.authenticate(node, "auditor-1", PASSWORD))

    async def go() -> tuple[str, int]:
        async with client(app) as c:
            c.cookies.set(SESSION_COOKIE, opened.token)
            page = (await c.get("/audit")).text
            first = re.search(r'href="(/api/v1/audit/\d+/proof)"', page)
            assert first is not None
            return page, (await c.get(first.group(1))).status_code

    page, proof_status = asyncio.run(go())
    assert len(re.findall(r">leaf \d+</a>", page)) == chained
    assert "not yet chained" in page  # the sign-in above, audited after the seal
    assert proof_status == 200
