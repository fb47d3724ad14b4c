"""The assistance and operations API and pages, between two in-process nodes: a liaison officer
at A asks through the API, one at B answers through the page form; both read the work lists."""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from borderlink.server.deps import SESSION_COOKIE
from borderlink.services import Node
from borderlink.services.accounts import users as accounts
from borderlink.services.accounts.access import Principal
from tests.assist_samples import assistance_agreement, operation_document
from tests.coop_mesh import Mesh, agree, build_mesh, connect
from tests.surfaces import PASSWORD, client

ADMIN = Principal.system("test-admin")


@pytest.fixture
def mesh(tmp_path: Path, _sqlite_template: Path) -> Iterator[Mesh]:
    m = build_mesh(tmp_path, ["A", "B"], template=_sqlite_template)
    connect(m, "A", "B")
    agree(m, assistance_agreement(categories=[
        "assistance-request", "assistance-reply", "operation", "operation-report",
        "trader-identity",
    ], purposes=["assistance", "joint-operation"]))  # fmt: skip
    yield m
    m.close()


def _token(node: Node) -> str:
    accounts.add_user(node, ADMIN, username="lee", password=PASSWORD, role="liaison_officer")
    return accounts.issue_token(node, ADMIN, username="lee", name="api", reason="test").token


async def _page(mesh: Mesh, name: str, path: str) -> str:
    """A page as the liaison officer's browser gets it (pages take a session, not a token)."""
    node = mesh.nodes[name]
    opened = accounts.open_session(node, accounts.authenticate(node, "lee", PASSWORD))
    async with client(mesh.apps[name]) as browser:
        browser.cookies.set(SESSION_COOKIE, opened.token)
        response = await browser.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return response.text


async def _walk(mesh: Mesh) -> None:
    token_a, token_b = _token(mesh.nodes["A"]), _token(mesh.nodes["B"])
    body = {
        "reference": "API-1",
        "requested": "B",
        "agreement_id": "AB-2026",
        "measure": "verification",
        "title": "Verify certificate of origin 42",
        "files": [{"name": "coo.pdf", "content": base64.b64encode(b"%PDF coo").decode()}],
    }
    async with client(mesh.apps["A"], token_a) as a, client(mesh.apps["B"], token_b) as b:
        drafted = await a.post("/api/v1/assistance/requests", json=body)
        assert drafted.status_code == 200, drafted.text
        request_id = drafted.json()["request_id"]
        sent = await a.post(f"/api/v1/assistance/requests/{request_id}/send")
        assert sent.json()["released_to"] == ["B"]
        incoming = (await b.get("/api/v1/assistance/requests?direction=incoming")).json()
        assert [c["request_id"] for c in incoming["items"]] == [request_id]
        detail = (await b.get(f"/api/v1/assistance/requests/{request_id}")).json()
        sha = detail["attachments"][0]["sha256"]
        assert (await b.get(f"/api/v1/assistance/files/{sha}")).content == b"%PDF coo"
        assert "Verify certificate of origin 42" in await _page(
            mesh, "B", f"/assistance/{request_id}"
        )
        refused = await b.post(
            f"/api/v1/assistance/requests/{request_id}/reply",
            json={"state": "refused", "ground": "sovereignty"},
        )
        assert refused.status_code == 200, refused.text
        outgoing = (await a.get("/api/v1/assistance/requests?direction=outgoing")).json()
        assert outgoing["items"][0]["state"] == "refused"
        again = await b.post(
            f"/api/v1/assistance/requests/{request_id}/reply", json={"state": "answered"}
        )
        assert again.status_code == 409
        assert (await a.get("/api/v1/assistance/figures")).json()[0]["sent"] == 1
        assert "Requests to partners (1)" in await _page(mesh, "A", "/assistance")

        created = await a.post("/api/v1/operations", json=operation_document())
        assert created.json()["released_to"] == ["B"], created.text
        operation_id = created.json()["record_id"]
        started = await a.post(f"/api/v1/operations/{operation_id}/state", json={"to": "active"})
        assert started.status_code == 200
        day = dt.datetime.now(dt.UTC).date().isoformat()
        reported = await b.post(
            f"/api/v1/operations/{operation_id}/reports",
            json={"day": day, "results": {"seizures": 2}},
        )
        assert reported.status_code == 200, reported.text
        board = (await a.get(f"/api/v1/operations/{operation_id}/dashboard")).json()
        assert board["by_participant"]["B"]["seizures"] == 2
        csv_text = (await a.get(f"/api/v1/operations/{operation_id}/report.csv")).text
        assert csv_text.splitlines()[0].startswith("participant,")
        assert "Operation TOBACCO-26" in await _page(mesh, "A", f"/operations/{operation_id}")
        assert "TOBACCO-26" in await _page(mesh, "B", "/operations")


def test_assistance_and_operations_through_the_api_and_pages(mesh: Mesh) -> None:
    asyncio.run(_walk(mesh))


def test_an_attachment_that_is_not_base64_is_invalid_input_not_a_server_error() -> None:
    from borderlink.errors import InvalidInput
    from borderlink.server.api.assistance import FileIn, _files

    for content in ("°", "not base64!"):
        with pytest.raises(InvalidInput, match="not base64") as refused:
            _files([FileIn(name="invoice.pdf", content=content)])
        assert refused.value.field == "files.0.content"
