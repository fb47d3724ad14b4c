"""Schemathesis against the OpenAPI schema: generated requests (bounded) never get a 5xx.

Runs on SQLite only (the point is the HTTP surface, not the backend), as an administrator so
that every operation is reached past authorisation, with a bounded number of examples.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, settings
from sqlalchemy import Engine

from borderlink.server import create_app
from borderlink.services import Node
from borderlink.services.accounts.access import Role
from borderlink.settings import Settings
from tests.surfaces import Seeded, seed

if TYPE_CHECKING:  # schemathesis names its OpenAPI case type for type checkers only
    from schemathesis.specs.openapi.schemas import OpenApiCase


@pytest.fixture
def fuzz_seeded(sqlite_engine: Engine, settings: Settings) -> Seeded:
    node = Node(
        settings=settings.model_copy(update={"db": sqlite_engine.url.render_as_string(False)}),
        engine=sqlite_engine,
    )
    return seed(node)


@pytest.fixture
def fuzz_app(fuzz_seeded: Seeded) -> FastAPI:
    return create_app(fuzz_seeded.node.settings, node=fuzz_seeded.node, pages=False)


@pytest.fixture
def api_schema(fuzz_app: FastAPI) -> schemathesis.BaseSchema:
    config = schemathesis.Config()
    # The examples and fuzzing phases; the coverage phase enumerates many more boundary cases
    # than a per-commit run affords.
    config.projects.default.phases.update(phases=["examples", "fuzzing"])
    return schemathesis.openapi.from_asgi("/api/v1/openapi.json", fuzz_app, config=config)


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(
    max_examples=10,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_no_request_gets_a_server_error(case: OpenApiCase, fuzz_seeded: Seeded) -> None:
    headers = {"Authorization": f"Bearer {fuzz_seeded.tokens[Role.ADMINISTRATOR]}"}
    if case.path.startswith("/api/v1/auth/logout"):
        headers = {}  # without a session: signing out must still answer cleanly
    response = case.call(headers=headers)
    assert response.status_code < 500, (case.method, case.path, response.text)
    if (
        response.status_code >= 400
        and case.path.startswith("/taxii2/")
        and "/schemas/" not in case.path
    ):
        # TAXII routes answer TAXII error messages.
        assert set(response.json()) == {"title", "description", "error_code", "http_status"}
    elif response.status_code >= 400:
        assert set(response.json()) == {"error", "detail", "field"}
    # Every status an operation answers with is one its OpenAPI entry documents.
    documented = case.operation.definition.raw["responses"]
    assert str(response.status_code) in documented, (case.method, case.path, response.status_code)
