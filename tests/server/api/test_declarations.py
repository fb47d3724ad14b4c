"""``POST /api/v1/declarations``: a documented body; bad declarations rejected one by one."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
from fastapi import FastAPI

from borderlink.model import DECLARATION
from borderlink.services.accounts.access import Role
from tests.surfaces import Seeded, client


def _post(app: FastAPI, token: str, body: object) -> httpx.Response:
    async def go() -> httpx.Response:
        async with client(app, token) as c:
            return await c.post("/api/v1/declarations", json=body)

    return asyncio.run(go())


def test_openapi_documents_the_declaration_with_descriptions_and_an_example(app: FastAPI) -> None:
    async def go() -> dict[str, Any]:
        async with client(app) as c:
            return (await c.get("/api/v1/openapi.json")).json()  # type: ignore[no-any-return]

    spec = asyncio.run(go())
    body = spec["paths"]["/api/v1/declarations"]["post"]["requestBody"]["content"]
    listed = body["application/json"]["schema"]
    assert listed["type"] == "array"
    assert listed["items"] == {"$ref": "#/components/schemas/DeclarationIn"}
    assert listed["examples"] == [[DECLARATION.example()]]
    declaration = spec["components"]["schemas"]["DeclarationIn"]
    assert declaration["examples"] == [DECLARATION.example()]
    assert declaration["required"] == ["id", "date"]
    assert "Declaration reference" in declaration["properties"]["id"]["description"]
    item = declaration["properties"]["items"]["items"]["properties"]
    assert "6, 8 or 10 digits" in item["hs_code"]["description"]
    assert item["origin_country"]["description"].startswith("Country of origin.")
    for part in ("transport", "parties", "items", "outcome", "documents"):
        assert declaration["properties"][part]["description"], part


def test_the_documented_example_is_accepted(app: FastAPI, seeded: Seeded) -> None:
    answer = _post(app, seeded.tokens[Role.ADMINISTRATOR], [DECLARATION.example()])
    assert answer.status_code == 200, answer.text
    assert answer.json()["summary"]["accepted"] == 1


def test_bad_declarations_are_rejected_one_by_one_the_rest_go_on(
    app: FastAPI, seeded: Seeded
) -> None:
    good = {"id": "API-1", "date": "2024-03-01", "items": [{"hs_code": "851713"}]}
    sent = [
        good,
        {"id": "API-2", "date": "2024-03-01", "items": [{"hs_code": "851713001"}]},  # 9 digits
        {"id": "API-3", "date": 20240301, "items": "none"},  # wrong types: not a 422
        {"id": "API-4", "date": "2024-03-01", "items": [{"hs_code": "851713",
                                                          "origin_country": "XK"}]},
        {"id": "API-5", "date": "2024-03-01", "parties": [{"role": "importer",
                                                            "id": "IMP\u200b1"}],
         "items": [{"hs_code": 851713, "value": 10, "currency": "EUR"}]},
    ]  # fmt: skip
    answer = _post(app, seeded.tokens[Role.ADMINISTRATOR], sent)
    assert answer.status_code == 200, answer.text
    summary = answer.json()["summary"]
    assert (summary["accepted"], summary["rejected"]) == (2, 3)
    assert summary["errors"] == {
        "malformed_hs_code": 1,
        "malformed_date": 1,
        "missing_required": 1,
        "invalid_character": 1,
    }
    named = {(r["record"], r["declaration_id"], r["field"]) for r in answer.json()["rejected"]}
    assert {(n, d) for n, d, _ in named} == {(2, "API-2"), (3, "API-3"), (5, "API-5")}
    assert next(f for n, _, f in named if n == 2).endswith("hs_code")
    assert all(r["message"] and r["reason"] for r in answer.json()["rejected"])


def test_a_list_element_that_is_not_an_object_is_one_reject(app: FastAPI, seeded: Seeded) -> None:
    """The body is streamed, so it is judged record by record: what is not a declaration is
    rejected on its own (kept, with its reason), and the declaration beside it goes on."""
    good = {"id": "API-9", "date": "2024-03-01", "items": [{"hs_code": "851713"}]}
    answer = _post(app, seeded.tokens[Role.ADMINISTRATOR], ["not a declaration", good])
    assert answer.status_code == 200, answer.text
    summary = answer.json()["summary"]
    assert (summary["rows"], summary["accepted"], summary["rejected"]) == (2, 1, 1)
