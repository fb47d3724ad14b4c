"""Partner-only routes: a signed request is accepted once, by the node it was signed for."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from borderlink.exchange.auth import sign_request
from borderlink.exchange.client import notice
from borderlink.server.app import create_app
from borderlink.services import open_node
from tests.coop_mesh import Mesh, bridge, build_mesh, connect


@pytest.fixture
def mesh(tmp_path: Path, _sqlite_template: Path) -> Iterator[Mesh]:
    m = build_mesh(tmp_path, ["A", "B", "C"], template=_sqlite_template)
    connect(m, "A", "B")
    connect(m, "B", "C")
    connect(m, "A", "C")
    yield m
    m.close()


def _signed(
    mesh: Mesh, caller: str, recipient: str, method: str, path: str, body: bytes = b""
) -> httpx.Request:
    request = httpx.Request(method, f"http://node.test{path}", content=body or None)
    sign_request(
        mesh.identities[caller],
        request,
        recipient=recipient,
        body=body,
        now=dt.datetime.now(dt.UTC),
    )
    return request


def _send(app: object, request: httpx.Request) -> httpx.Response:
    with httpx.Client(transport=bridge(app), base_url="http://node.test") as client:  # type: ignore[arg-type]
        return client.send(request)


def test_a_captured_request_is_refused_the_second_time(mesh: Mesh) -> None:
    request = _signed(mesh, "B", "A", "GET", "/api/v1/exchange/tree-head")
    assert _send(mesh.apps["A"], request).status_code == 200
    again = _send(mesh.apps["A"], request)
    assert again.status_code == 409
    assert again.json()["error"] == "replay_detected"


def test_a_replay_to_another_server_process_is_refused(mesh: Mesh) -> None:
    """The nonces are in the database: a second process of node A refuses them too."""
    second = create_app(node=open_node(mesh.nodes["A"].settings))
    request = _signed(mesh, "B", "A", "GET", "/api/v1/exchange/tree-head")
    assert _send(mesh.apps["A"], request).status_code == 200
    assert _send(second, request).status_code == 409


def test_a_request_signed_by_b_for_a_is_refused_by_c(mesh: Mesh) -> None:
    request = _signed(mesh, "B", "A", "GET", "/api/v1/exchange/tree-head")
    refused = _send(mesh.apps["C"], request)
    assert refused.status_code == 422
    assert "not for this node" in refused.json()["detail"]


def test_a_replayed_notify_is_refused_and_triggers_no_sync(mesh: Mesh) -> None:
    calls: list[str] = []
    scheduler = type(
        "Recorder", (), {"run": lambda self, partner, push=None: calls.append(partner)}
    )()
    mesh.apps["A"].state.sync_scheduler = scheduler
    token = notice(mesh.identities["B"], "A", 3, dt.datetime.now(dt.UTC))
    body = json.dumps({"token": token}).encode()
    request = _signed(mesh, "B", "A", "POST", "/api/v1/exchange/notify", body)
    request.headers["Content-Type"] = "application/json"
    assert _send(mesh.apps["A"], request).status_code == 202
    assert _send(mesh.apps["A"], request).status_code == 409
    assert calls == ["B"]
