"""``borderlink users`` and ``borderlink tokens`` through the real entry point (in-process)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.cli.conftest import Cli


@pytest.fixture
def cli(sqlite_cli: Cli) -> Cli:
    return sqlite_cli


def test_users_from_the_command_line(cli: Cli) -> None:
    code, out, err = cli(
        "users",
        "add",
        "olga",
        "--role",
        "officer",
        "--office",
        "OF1",
        "--password",
        "long pw 123",
        "--json",
    )
    assert code == 0, err
    assert json.loads(out)["role"] == "officer"
    code, _, err = cli("users", "add", "ivan", "--role", "officer", "--password", "long pw 123")
    assert code == 2
    assert "office" in err
    assert [u["username"] for u in json.loads(cli("users", "list", "--json")[1])["users"]] == [
        "olga"
    ]
    assert cli("users", "disable", "olga")[0] == 0
    assert json.loads(cli("users", "list", "--json")[1])["users"][0]["active"] is False
    assert cli("users", "disable", "nobody")[0] == 3


def test_tokens_from_the_command_line(cli: Cli) -> None:
    cli("users", "add", "ana", "--role", "risk_analyst", "--password", "long pw 123")
    code, out, err = cli(
        "tokens", "create", "ana", "--name", "scanner", "--scope", "declarations:read", "--json"
    )
    assert code == 0, err
    made = json.loads(out)
    assert made["token"].startswith("bl_")
    assert made["info"]["scopes"] == ["declarations:read"]
    assert cli("tokens", "create", "ana", "--name", "x", "--scope", "audit:read")[0] == 2
    assert cli("tokens", "revoke", made["info"]["token_id"])[0] == 0
    tokens = json.loads(cli("tokens", "list", "--json")[1])["tokens"]
    assert tokens[0]["revoked_at"] is not None
    assert made["token"] not in json.dumps(tokens)


def test_serve_runs_uvicorn_with_the_api_and_the_pages(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    import uvicorn

    seen: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: seen.update(app=app, **kw))
    code, _, err = cli("serve", "--port", "8123")
    assert code == 0, err
    assert (seen["host"], seen["port"]) == ("127.0.0.1", 8123)
    assert "/api/v1/declarations" in seen["app"].openapi()["paths"]
    assert {"/dashboard", "/declarations"} <= {entry.path for entry in seen["app"].state.nav}
    assert "http://127.0.0.1:8123/" in err


def test_demo_users_from_the_command_line(cli: Cli) -> None:
    code, out, err = cli("users", "demo", "--json")
    assert code == 0, err
    assert "demo-officer" in json.loads(out)["users"]
    assert json.loads(cli("users", "demo", "--json")[1]) == {"users": {}}
