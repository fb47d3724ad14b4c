"""``POST /api/v1/declarations`` streams its body to disk and ingests it like a file (item 15).

The body is spooled to ``<data_dir>/incoming`` in chunks and removed after; the answer never
shows a server path; the byte ceiling still answers 413; a caller is signed in before a byte of
the body is read.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from borderlink.server import create_app
from borderlink.services import Node
from borderlink.services.accounts import users as accounts
from borderlink.services.accounts.access import Principal, Role
from tests.surfaces import PASSWORD, client, fast

ADMIN = Principal.system("test")
CEILING = 2 << 20


@pytest.fixture
def quick(node: Node) -> Node:
    small = fast(node).settings.model_copy(update={"max_submission_bytes": CEILING})
    return Node(settings=small, engine=node.engine)


@pytest.fixture
def app(quick: Node) -> FastAPI:
    return create_app(quick.settings, node=quick, pages=False)


@pytest.fixture
def token(quick: Node) -> str:
    accounts.add_user(quick, ADMIN, username="clerk", password=PASSWORD, role=Role.ADMINISTRATOR)
    return accounts.issue_token(quick, ADMIN, username="clerk", name="t", reason="tests").token


def _incoming(node: Node) -> list[Path]:
    folder = Path(node.settings.data_dir) / "incoming"
    return list(folder.iterdir()) if folder.is_dir() else []


async def _pieces(data: bytes, size: int = 64 << 10) -> AsyncIterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


def _post(app: FastAPI, token: str | None, content: bytes, *, chunked: bool = True) -> Any:
    async def go() -> httpx.Response:
        async with client(app, token) as c:
            body: Any = _pieces(content) if chunked else content
            headers = {"content-type": "application/json"}
            return await c.post("/api/v1/declarations", content=body, headers=headers)

    return asyncio.run(go())


def _declarations(n: int, prefix: str = "S") -> list[dict[str, Any]]:
    return [
        {"id": f"{prefix}{i:06d}", "date": "2024-03-01", "items": [{"hs_code": "851713"}]}
        for i in range(n)
    ]


def test_a_large_chunked_submission_is_ingested_whole(
    app: FastAPI, quick: Node, token: str
) -> None:
    sent = _declarations(8_000)
    body = json.dumps(sent).encode()
    assert len(body) > 512 << 10  # many chunks, more than one spool buffer's worth of them
    answer = _post(app, token, body)
    assert answer.status_code == 200, answer.text
    summary = answer.json()["summary"]
    assert (summary["rows"], summary["accepted"], summary["rejected"]) == (8_000, 8_000, 0)
    assert _incoming(quick) == []  # the spooled file is gone


def test_the_answer_shows_no_server_path(app: FastAPI, quick: Node, token: str) -> None:
    answers = [
        _post(app, token, json.dumps(_declarations(3)).encode()),
        _post(app, token, b'{"id": "not an array"}'),
        _post(app, token, b"\x89PNG\r\n\x1a\n not json at all"),
        _post(app, token, b'[{"id": "A1", "date": "2024-03-01", "items": [{"hs_code": '),
    ]
    data_dir = str(Path(quick.settings.data_dir).resolve())
    for answer in answers:
        assert answer.status_code in {200, 400}, answer.text
        temporary = "/tmp"  # noqa: S108 - a string looked for, not a file used
        for leak in (data_dir, str(quick.settings.data_dir), temporary, "incoming", ".json"):
            assert leak not in answer.text, (leak, answer.text)
    assert answers[0].json()["summary"]["source"] == "api:clerk"
    assert _incoming(quick) == []


@pytest.mark.parametrize(
    ("body", "says"),
    [
        (b"[]", "no declaration submitted"),
        (b"  \n [ \n ] ", "no declaration submitted"),
        (b'{"id": "D1"}', "JSON array"),
        (b"", "JSON array"),
    ],
)
def test_what_is_not_an_array_of_declarations_is_invalid_input(
    app: FastAPI, token: str, body: bytes, says: str
) -> None:
    answer = _post(app, token, body, chunked=False)
    assert answer.status_code == 400
    assert answer.json()["error"] == "invalid_input"
    assert says in answer.json()["detail"]


def test_the_ceiling_still_answers_413_and_leaves_nothing(
    app: FastAPI, quick: Node, token: str
) -> None:
    body = json.dumps(_declarations(40_000)).encode()
    assert len(body) > CEILING
    answer = _post(app, token, body)  # chunked: no length to refuse it by
    assert answer.status_code == 413
    assert answer.json()["error"] == "too_large"
    assert _incoming(quick) == []


def test_nul_in_a_submission_is_invalid_input(app: FastAPI, quick: Node, token: str) -> None:
    body = json.dumps([{"id": "D\x001", "items": [{"hs_code": "851713"}]}]).encode()
    answer = _post(app, token, body)
    assert answer.status_code == 400
    assert answer.json()["detail"] == "NUL characters are not accepted in a request"
    assert _incoming(quick) == []


def test_an_anonymous_caller_is_refused_before_its_body_is_read(app: FastAPI, quick: Node) -> None:
    answer = _post(app, None, json.dumps(_declarations(3)).encode())
    assert answer.status_code == 401
    assert not (Path(quick.settings.data_dir) / "incoming").exists()
