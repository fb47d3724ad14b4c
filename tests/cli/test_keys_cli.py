"""``borderlink exchange keys``: rotate the node's key and read the history, as a user would."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from typer.testing import CliRunner

from borderlink.cli.app import app
from borderlink.errors import PermissionDenied
from borderlink.exchange.envelope import open_key_statement
from borderlink.exchange.identity import NodeIdentity, Partner
from borderlink.services import open_node
from borderlink.services.accounts.access import Principal, Role
from borderlink.services.exchange.keys import key_history
from borderlink.settings import get_settings

B = NodeIdentity("B", "B", Ed25519PrivateKey.generate())


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    monkeypatch.setenv("BORDERLINK_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("BORDERLINK_NODE_ID", "A")
    monkeypatch.setenv("BORDERLINK_ENVIRONMENT", "test")
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


def _json(cli: CliRunner, *args: str) -> dict[str, Any]:
    result = cli.invoke(app, [*args, "--json"])
    assert result.exit_code == 0, (result.output, result.exception)
    found: dict[str, Any] = json.loads(result.stdout)
    return found


def _keys(cli: CliRunner, *args: str) -> list[dict[str, Any]]:
    keys: list[dict[str, Any]] = _json(cli, "exchange", "keys", "list", *args)["keys"]
    return keys


def test_rotate_then_list_shows_both_keys_and_the_statement_verifies(cli: CliRunner) -> None:
    first = str(_json(cli, "node", "init")["public_key"])
    (only,) = _keys(cli)
    assert (only["public_key"], only["valid_until"], only["rotated"]) == (first, None, False)

    rotated = _json(cli, "exchange", "keys", "rotate", "--overlap-days", "2", "--reason", "yearly")
    assert rotated["previous_key"] == first
    assert rotated["public_key"] != first
    assert _json(cli, "node", "show")["public_key"] == rotated["public_key"]
    # What partners will apply: signed by the old key, naming the new one.
    statement = open_key_statement(str(rotated["statement"]), Partner("A", "A", first, ""))
    assert statement.public_key == rotated["public_key"]

    old, new = _keys(cli)
    assert old["public_key"] == first
    assert old["valid_until"] == str(statement.overlap_until)
    assert (new["public_key"], new["valid_until"], new["rotated"]) == (
        rotated["public_key"],
        None,
        True,
    )


def test_a_partner_key_history_and_who_may_read_it(cli: CliRunner) -> None:
    _json(cli, "node", "init")
    added = cli.invoke(
        app, ["partners", "add", "B", "--name", "B", "--key", B.public_key, "--url", "http://b"]
    )
    assert added.exit_code == 0, added.output
    (only,) = _keys(cli, "B")
    assert (only["node_id"], only["public_key"]) == ("B", B.public_key)
    node = open_node(get_settings())
    try:
        with pytest.raises(PermissionDenied):
            key_history(node, Principal(user_id=3, username="officer", role=Role.OFFICER))
    finally:
        node.engine.dispose()
