"""``borderlink demo`` end to end on a temporary SQLite directory."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from borderlink.cli import app

runner = CliRunner()


def test_demo_prints_a_summary_and_where_to_look_next(tmp_path: Path) -> None:
    result = runner.invoke(app, ["demo", "--dir", str(tmp_path), "--items", "200", "--no-partners"])
    assert result.exit_code == 0, result.output
    assert "BorderLink demo node" in result.stdout
    assert "Where to look next" in result.stdout
    assert "borderlink rejects list" in result.stdout
    assert (tmp_path / "borderlink.db").is_file()
    assert (tmp_path / "demo" / "declarations-seed2026-200.csv").is_file()


def test_demo_json_twice_changes_nothing(tmp_path: Path) -> None:
    args = ["demo", "--dir", str(tmp_path), "--items", "150", "--json"]
    first = runner.invoke(app, args)
    assert first.exit_code == 0, first.output
    report = json.loads(first.stdout)
    assert report["steps"]["ingest"]["declarations"]["accepted"] == 150
    assert report["database"].endswith("borderlink.db")
    assert all("--db" in command for command in report["next"] if "rejects" in command)
    second = json.loads(runner.invoke(app, args).stdout)
    assert second["totals"] == report["totals"]
    assert second["steps"]["ingest"]["declarations"]["duplicates"] == 150
    reset = json.loads(runner.invoke(app, [*args, "--reset"]).stdout)
    assert reset["totals"] == report["totals"]
    assert reset["steps"]["ingest"]["declarations"]["accepted"] == 150


def test_demo_refuses_a_bad_size(tmp_path: Path) -> None:
    result = runner.invoke(app, ["demo", "--dir", str(tmp_path), "--items", "0"])
    assert result.exit_code != 0
