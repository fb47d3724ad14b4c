"""Request bodies are limited per route, and NUL is refused at the edge, on both backends."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from borderlink.server import create_app
from borderlink.services import Node
from tests.surfaces import client as http_client


class Client:
    """Calls into the app in-process, one request per call."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        async def go() -> httpx.Response:
            async with http_client(self.app) as c:
                return await c.request(method, path, **kwargs)

        return asyncio.run(go())

    def post(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("POST", path, **kwargs)

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", path, **kwargs)


@pytest.fixture
def client(node: Node) -> Client:
    small = node.settings.model_copy(update={"max_submission_bytes": 4096})
    return Client(create_app(small, node=Node(settings=small, engine=node.engine)))


async def _in_pieces(data: bytes, size: int = 1024) -> AsyncIterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


def test_a_large_anonymous_login_body_is_refused_unread(client: Client) -> None:
    body = json.dumps({"username": "admin", "password": "x" * (1 << 20)})
    answer = client.post("/api/v1/auth/login", content=body)
    assert answer.status_code == 413
    assert answer.json()["error"] == "too_large"
    assert answer.headers["x-content-type-options"] == "nosniff"  # the usual headers still


def test_a_body_growing_past_the_limit_without_a_length_is_cut_off(client: Client) -> None:
    body = json.dumps({"username": "admin", "password": "x" * 100_000}).encode()
    answer = client.post(
        "/api/v1/auth/login",
        content=_in_pieces(body),
        headers={"content-type": "application/json"},
    )
    assert answer.status_code == 413
    assert answer.json()["error"] == "too_large"


def test_submissions_take_their_own_configurable_limit(client: Client) -> None:
    declarations = [{"id": f"D{i}", "items": [{"hs_code": "851713"}]} for i in range(200)]
    answer = client.post("/api/v1/declarations", json=declarations)
    assert answer.status_code == 413
    assert "4,096 bytes" in answer.json()["detail"]


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/v1/auth/login", {"username": "ad\x00min", "password": "secret"}),
        ("/api/v1/auth/login", {"username": "admin", "password": "se\x00cret"}),
    ],  # a submission's NUL: tests/server/api/test_submission_stream.py (it signs in first)
)
def test_nul_in_a_json_body_is_invalid_input(client: Client, path: str, body: object) -> None:
    answer = client.post(path, json=body)
    assert answer.status_code == 400
    assert answer.json() == {
        "error": "invalid_input",
        "detail": "NUL characters are not accepted in a request",
        "field": None,
    }


def test_nul_in_a_form_a_query_or_a_path_is_invalid_input(client: Client) -> None:
    form = client.post("/login", data={"username": "ad\x00min", "password": "secret"})
    query = client.get("/api/v1/declarations?importer=IMP%001")
    path = client.get("/api/v1/declarations/D%001")
    assert [form.status_code, query.status_code, path.status_code] == [400, 400, 400]
    assert query.json()["error"] == path.json()["error"] == "invalid_input"


def test_an_api_query_parameter_given_twice_is_invalid_input(client: Client) -> None:
    # Before, the last value won silently: a filter on two agencies answered for one.
    twice = client.get("/api/v1/referrals?agency=health&agency=customs")
    assert twice.status_code == 400
    assert twice.json()["error"] == "invalid_input"
    assert "'agency'" in twice.json()["detail"]
    once = client.get("/api/v1/referrals?agency=health")
    assert once.status_code != 400


def test_a_taxii_route_refuses_in_a_taxii_error_message(client: Client) -> None:
    answer = client.get("/taxii2/?x=%00")
    assert answer.status_code == 400
    assert answer.headers["content-type"].startswith("application/taxii+json")
    assert answer.json()["error_code"] == "invalid_input"
    assert answer.json()["http_status"] == "400"


@pytest.mark.parametrize("name", ["ad\u200bmin", "ad\u202emin", "ad\x07min", "ad\nmin"])
def test_a_login_name_with_an_invisible_character_is_invalid_input(
    client: Client, name: str
) -> None:
    answer = client.post("/api/v1/auth/login", json={"username": name, "password": "secret"})
    assert answer.status_code == 400
    assert answer.json()["error"] == "invalid_input"
    assert answer.json()["field"] == "username"
