"""The HTTP shell answers every error with the one body and the one table's status."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import Engine

from borderlink.errors import OUTCOMES, BorderLinkError, Conflict, InvalidInput, NotFound
from borderlink.server import create_app
from borderlink.services import Node
from borderlink.settings import Settings
from tests.surfaces import client


@pytest.fixture
def app(settings: Settings, sqlite_engine: Engine) -> FastAPI:
    app = create_app(settings, node=Node(settings=settings, engine=sqlite_engine), pages=False)

    @app.get("/api/v1/test/raise/{kind}")
    async def raising(kind: str) -> None:
        raise {"conflict": Conflict, "missing": NotFound}[kind]("it went wrong", field="x")

    @app.get("/api/v1/test/number")
    async def number(n: int) -> int:
        return n

    return app


def _get(app: FastAPI, path: str, method: str = "GET") -> httpx.Response:
    async def call() -> httpx.Response:
        async with client(app) as http:
            return await http.request(method, path)

    return asyncio.run(call())


def test_request_validation_is_invalid_input_with_the_tables_status(app: FastAPI) -> None:
    response = _get(app, "/api/v1/test/number?n=many")
    assert response.status_code == OUTCOMES[InvalidInput].http_status == 400
    assert response.json()["error"] == "invalid_input"
    assert response.json()["field"] == "n"


@pytest.mark.parametrize(("kind", "error"), [("conflict", Conflict), ("missing", NotFound)])
def test_service_errors_answer_with_their_row(
    app: FastAPI, kind: str, error: type[BorderLinkError]
) -> None:
    response = _get(app, f"/api/v1/test/raise/{kind}")
    assert response.status_code == OUTCOMES[error].http_status
    assert response.json() == {"error": error.code, "detail": "it went wrong", "field": "x"}


def test_framework_errors_use_the_same_codes(app: FastAPI) -> None:
    missing = _get(app, "/api/v1/nothing-here")
    assert (missing.status_code, missing.json()["error"]) == (404, "not_found")
    wrong = _get(app, "/api/v1/health", method="DELETE")
    assert (wrong.status_code, wrong.json()["error"]) == (405, "method_not_allowed")
