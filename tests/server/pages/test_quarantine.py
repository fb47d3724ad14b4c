"""The quarantine page: what a sync refused, why, and a retry that accepts it once fixed."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from borderlink.model import AgreementState, Alert
from borderlink.server.deps import SESSION_COOKIE
from borderlink.services.accounts import users as accounts
from borderlink.services.accounts.access import Principal, Role
from borderlink.services.cooperation.agreements import transition_agreement
from borderlink.services.cooperation.partners import get_partner
from borderlink.services.cooperation.records import get_record, issue
from borderlink.services.exchange.sync import sync_partner
from tests.coop_mesh import Mesh, agree, build_mesh, connect
from tests.coop_samples import agreement, new_alert
from tests.surfaces import PASSWORD, client, fast

OPS = Principal.system("test")


@pytest.fixture
def mesh(tmp_path: Path, _sqlite_template: Path) -> Iterator[Mesh]:
    m = build_mesh(tmp_path, ["A", "B"], template=_sqlite_template)
    connect(m, "A", "B")
    agree(m, agreement())
    accounts.add_user(
        fast(m.nodes["B"]), OPS, username="liaison", password=PASSWORD, role=Role.LIAISON_OFFICER
    )
    yield m
    m.close()


def test_the_page_lists_refused_envelopes_and_retries_them(mesh: Mesh) -> None:
    a, b = mesh.nodes["A"], fast(mesh.nodes["B"])
    transition_agreement(b, OPS, "AB-2026", AgreementState.SUSPENDED)
    alert = issue(a, OPS, new_alert(1), notify=False)
    sync_partner(b, "A", transport=mesh.transport_for(get_partner(b, "A")), witness_log=False)
    transition_agreement(b, OPS, "AB-2026", AgreementState.IN_FORCE)
    opened = accounts.open_session(b, accounts.authenticate(b, "liaison", PASSWORD))

    async def go() -> tuple[str, int, str]:
        async with client(mesh.apps["B"]) as c:
            c.cookies.set(SESSION_COOKIE, opened.token)
            listed = (await c.get("/sharing/quarantine")).text
            retried = await c.post(
                "/sharing/quarantine/retry",
                data={"csrf_token": opened.csrf_token, "partner_id": "A"},
            )
            after = (await c.get("/sharing/quarantine")).text
            return listed, retried.status_code, after

    listed, status, after = asyncio.run(go())
    assert "AB-2026 is suspended" in listed
    assert "1 envelope kept" in listed
    assert status == 303
    assert "Nothing in quarantine" in after
    retried = get_record(b, alert.record_id)
    assert isinstance(retried, Alert)
    assert retried.title == "alert 1"
