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


def test_add_asks_for_the_password_when_not_given(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Item 8: ``users add`` without --password asks for it (twice, hidden), and the help no
    longer calls --password required."""
    import getpass

    code, out, _ = cli("users", "add", "--help")
    assert code == 0
    [line] = [row for row in out.splitlines() if "--password " in row and "│" in row]
    assert "required" not in line

    answers = iter(["long pw 123", "long pw 123"])
    monkeypatch.setattr(getpass, "getpass", lambda prompt="": next(answers))
    code, _, err = cli("users", "add", "pia", "--role", "auditor")
    assert code == 0, err
    assert next(answers, None) is None  # asked, and confirmed


def test_enable_unlock_and_reset_from_the_command_line(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    cli("users", "add", "rik", "--role", "auditor", "--password", "long pw 123")
    assert cli("users", "disable", "rik")[0] == 0
    assert cli("users", "enable", "rik")[0] == 0
    assert json.loads(cli("users", "list", "--json")[1])["users"][0]["active"] is True
    assert cli("users", "unlock", "rik")[0] == 0
    code, _, err = cli(
        "users", "reset-password", "rik", "--password", "temporary 1", "--reason", "x"
    )
    assert code == 0, err
    [user] = json.loads(cli("users", "list", "--json")[1])["users"]
    assert user["password_change_due"] is True
    assert cli("users", "unlock", "nobody")[0] == 3


def test_a_token_made_from_the_command_line_is_marked_issued(cli: Cli) -> None:
    """Item 2: the command line issues tokens explicitly (audited), never one that answers."""
    cli(
        "users",
        "add",
        "doc",
        "--role",
        "agency_officer",
        "--agency",
        "health",
        "--password",
        "long pw 123",
    )
    code, out, err = cli("tokens", "create", "doc", "--name", "sync", "--json")
    assert code == 0, err
    made = json.loads(out)
    assert made["info"]["issued_by"] == "cli"
    assert "referrals:answer" not in made["info"]["scopes"]
    assert cli("tokens", "create", "doc", "--name", "x", "--scope", "referrals:answer")[0] == 2
