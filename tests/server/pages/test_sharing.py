"""Alerts and seizures: inbox and outbox through the API and the page, on two in-process nodes."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from borderlink.server.deps import SESSION_COOKIE
from borderlink.services.accounts import users as accounts
from borderlink.services.accounts.access import Principal, Role
from borderlink.services.cooperation.records import record_seizure
from borderlink.services.declarations import browse
from tests.coop_mesh import Mesh, agree, build_mesh, connect
from tests.coop_samples import agreement, new_seizure
from tests.surfaces import PASSWORD, client, fast

OPS = Principal.system("test")  # acts for the node in the tests

ADMIN = Principal.system("test-admin")


@pytest.fixture
def mesh(tmp_path: Path, _sqlite_template: Path) -> Iterator[Mesh]:
    m = build_mesh(tmp_path, ["A", "B"], template=_sqlite_template)
    connect(m, "A", "B")
    agree(
        m,
        agreement(
            categories=["seizure", "alert", "trader-identity"],
            redact={"seizure": ["concealment"]},
        ),
    )
    for name in ("A", "B"):
        node = fast(m.nodes[name])
        for role in (Role.ADMINISTRATOR, Role.LIAISON_OFFICER):
            accounts.add_user(node, ADMIN, username=role.value, password=PASSWORD, role=role)
    yield m
    m.close()


def _get(mesh: Mesh, name: str, role: Role, path: str) -> Any:
    node = fast(mesh.nodes[name])
    token = accounts.issue_token(node, ADMIN, username=role.value, name="t", reason="test").token

    async def go() -> Any:
        async with client(mesh.apps[name], token) as c:
            response = await c.get(path)
            assert response.status_code == 200, response.text
            return response.json()

    return asyncio.run(go())


def test_outbox_shows_each_partners_copy_and_inbox_what_arrived(mesh: Mesh) -> None:
    seizure = new_seizure()
    record_seizure(mesh.nodes["A"], OPS, seizure, transport_for=mesh.transport_for)

    out = _get(mesh, "A", Role.ADMINISTRATOR, "/api/v1/sharing/outbox")
    copies = {c["record_id"]: c for c in out["items"]}
    assert seizure.id in copies
    copy = copies[seizure.id]
    assert copy["partner_id"] == "B"
    assert {r["field"] for r in copy["removed"]} >= {"concealment"}
    assert "concealment" not in copy["stix"]

    inbox = _get(mesh, "B", Role.ADMINISTRATOR, "/api/v1/sharing/inbox")
    received = {r["record_id"]: r for r in inbox["items"]}
    assert received[seizure.id]["received_from"] == "A"
    assert received[seizure.id]["summary"] == "cigarettes in sofas"
    assert _get(mesh, "A", Role.ADMINISTRATOR, "/api/v1/sharing/inbox")["total"] == 0


def test_nominal_fields_are_masked_for_the_liaison_officer(mesh: Mesh) -> None:
    seizure = new_seizure()
    record_seizure(mesh.nodes["A"], OPS, seizure, transport_for=mesh.transport_for)
    admin = _get(mesh, "B", Role.ADMINISTRATOR, "/api/v1/sharing/inbox")["items"]
    liaison = _get(mesh, "B", Role.LIAISON_OFFICER, "/api/v1/sharing/inbox")["items"]
    masked = {f for r in liaison for f in r["masked"]}
    assert masked == {"parties", "declaration_id", "trader_ids"}  # the agreement lets them flow
    assert "ACME" in str(admin)
    node = fast(mesh.nodes["B"])
    auditor = accounts.authenticate(node, "administrator", PASSWORD)
    shown = browse.list_audit(node, auditor, action="sharing.inbox").items
    assert [e.actor for e in shown] == ["administrator"]  # nominal data shown: audited
    for record in liaison:
        for name in record["masked"]:
            assert record["stix"][name] == "[redacted]"
    assert "ACME" not in str(liaison)

    node = fast(mesh.nodes["B"])
    opened = accounts.open_session(node, accounts.authenticate(node, "liaison_officer", PASSWORD))

    async def page() -> str:
        async with client(mesh.apps["B"]) as c:
            c.cookies.set(SESSION_COOKIE, opened.token)
            response = await c.get("/sharing")
            assert response.status_code == 200
            return response.text

    text = asyncio.run(page())
    assert "cigarettes in sofas" in text
    assert "ACME" not in text
