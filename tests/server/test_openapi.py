"""``/api/v1/openapi.json`` tells the truth about errors: the real body, every status."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from sqlalchemy import Engine

from borderlink.server import create_app
from borderlink.services import Node
from borderlink.settings import Settings
from tests.surfaces import client

TAXII_ERROR_REF = "#/components/schemas/TaxiiError"
ERROR_REF = "#/components/schemas/ErrorBody"
# Operations open to anyone (no credentials asked).
OPEN = {
    ("get", "/api/v1/health"),
    ("post", "/api/v1/auth/login"),
    ("get", "/taxii2/schemas/{name}.json"),  # the STIX extensions' schemas, for any tool
}


@pytest.fixture
def schema(settings: Settings, sqlite_engine: Engine) -> dict[str, Any]:
    app = create_app(settings, node=Node(settings=settings, engine=sqlite_engine), pages=False)
    found: dict[str, Any] = app.openapi()
    return found


def _operations(schema: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, operation)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
    ]


def test_no_fastapi_validation_schema_remains(schema: dict[str, Any]) -> None:
    text = json.dumps(schema)
    assert "HTTPValidationError" not in text
    assert '"ValidationError"' not in text
    body = schema["components"]["schemas"]["ErrorBody"]
    assert set(body["properties"]) == {"error", "detail", "field"}


def test_every_error_response_is_the_error_body(schema: dict[str, Any]) -> None:
    errors = 0
    for method, path, operation in _operations(schema):
        for status, response in operation["responses"].items():
            if status == "default" or int(status) >= 400:
                errors += 1
                if path.startswith("/taxii2/") and "/schemas/" not in path:
                    media = response["content"]["application/taxii+json;version=2.1"]
                    assert media["schema"]["$ref"] == TAXII_ERROR_REF, (method, path, status)
                    continue
                ref = response["content"]["application/json"]["schema"]["$ref"]
                assert ref == ERROR_REF, (method, path, status)
        assert "default" in operation["responses"], (method, path)
    assert errors > 150


def test_statuses_follow_from_what_an_operation_takes(schema: dict[str, Any]) -> None:
    for method, path, operation in _operations(schema):
        statuses = set(operation["responses"])
        where = (method, path, sorted(statuses))
        if (method, path) not in OPEN:
            assert {"403"} <= statuses, where  # a user token, or a partner's signature
            if not path.startswith(("/taxii2/", "/api/v1/exchange/")):
                assert {"401"} <= statuses, where
        if "{" in path:
            assert "404" in statuses, where
        if operation.get("parameters") or operation.get("requestBody"):
            assert "400" in statuses, where
        assert "422" not in statuses or "integrity_failure" in json.dumps(
            operation["responses"]["422"]
        ), where


@pytest.mark.parametrize(
    ("method", "path", "status", "code"),
    [
        ("post", "/api/v1/users", "409", "conflict"),
        ("post", "/api/v1/agreements", "409", "conflict"),
        ("post", "/api/v1/referrals/{referral_id}/answer", "409", "conflict"),
        ("post", "/api/v1/auth/login", "401", "not_authenticated"),
        ("post", "/api/v1/exchange/notify", "422", "integrity_failure"),
        ("post", "/api/v1/exchange/notify", "409", "replay_detected"),
        ("get", "/api/v1/declarations/{declaration_id}", "404", "not_found"),
    ],
)
def test_use_case_errors_are_documented(
    schema: dict[str, Any], method: str, path: str, status: str, code: str
) -> None:
    response = schema["paths"][path][method]["responses"][status]
    assert f"`{code}`" in response["description"]


def test_the_served_document_is_the_completed_one(
    settings: Settings, sqlite_engine: Engine
) -> None:
    app = create_app(settings, node=Node(settings=settings, engine=sqlite_engine))

    async def fetch() -> dict[str, Any]:
        async with client(app) as http:
            found: dict[str, Any] = (await http.get("/api/v1/openapi.json")).json()
            return found

    served = asyncio.run(fetch())
    assert "HTTPValidationError" not in json.dumps(served)
    assert "ErrorBody" in served["components"]["schemas"]
