"""The dashboard's time release view and its AEO / non-AEO comparison, as a browser gets them."""

from __future__ import annotations

import asyncio

from fastapi import FastAPI

from borderlink.server.deps import SESSION_COOKIE
from borderlink.services.accounts import users as accounts
from tests.surfaces import DAY, PASSWORD, Seeded, client, seed_scores


def test_the_dashboard_shows_time_release_per_channel_and_aeo_against_others(
    app: FastAPI, seeded: Seeded
) -> None:
    seed_scores(seeded.node, {seeded.office_a[0]: "red", seeded.office_b[0]: "green"})
    opened = accounts.open_session(
        seeded.node, accounts.authenticate(seeded.node, "administrator-1", PASSWORD)
    )

    async def go() -> str:
        async with client(app) as c:
            c.cookies.set(SESSION_COOKIE, opened.token)
            response = await c.get(f"/dashboard?day={DAY}")
            assert response.status_code == 200
            return response.text

    page = asyncio.run(go())
    assert "Median time from lodging to release per channel" in page
    table = page.split('id="time-release-table"', 1)[1].split("</table>", 1)[0]
    rows = {r.split("</th>")[0]: r for r in table.split('<th scope="row">')[1:]}
    assert set(rows) == {"green", "red", "unscored", "all"}
    assert "<td>1</td><td>1</td><td>0</td>" in rows["green"]  # released when scored
    aeo = page.split('id="aeo-table"', 1)[1].split("</table>", 1)[0]
    assert '<th scope="row">non-AEO</th><td>6</td><td>1</td><td>16.7%</td>' in aeo
