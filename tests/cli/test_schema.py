"""``borderlink schema``: the reference doc and the JSON Schema, from the one schema."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from borderlink.cli import app
from borderlink.model import DECLARATION, reference

runner = CliRunner()


def test_schema_prints_the_reference() -> None:
    result = runner.invoke(app, ["schema"])
    assert result.exit_code == 0, result.output
    assert result.stdout == reference()
    assert "| `hs_code` | `hs_code` | hs_code | yes | ≤ 10 chars | 145 |" in result.stdout


def test_schema_json_is_the_body_schema_with_its_example() -> None:
    result = runner.invoke(app, ["schema", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["examples"] == [DECLARATION.example()]
