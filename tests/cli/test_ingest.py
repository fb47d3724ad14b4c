"""The ingest and rejects commands, end to end on a SQLite file."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from typer.testing import CliRunner

from borderlink.cli import app
from tests.factories import good

runner = CliRunner()


def test_ingest_json_summary_adds_up_and_rejects_are_listed(
    tmp_path: Path, write_csv: Callable[..., Path]
) -> None:
    db = f"sqlite:///{tmp_path / 'node.db'}"
    path = write_csv([good(), good(declaration_id="D2", origin_country="QQ"), good()])
    result = runner.invoke(app, ["ingest", str(path), "--json", "--db", db])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary == {
        "rows": 3,
        "accepted": 1,
        "rejected": 1,
        "duplicates": 1,
        "warnings": {},
        "errors": {"unknown_country": 1},
    }
    listed = runner.invoke(app, ["rejects", "list", "--json", "--db", db])
    records = json.loads(listed.stdout)["records"]
    assert [(r["record_no"], r["issues"][0]["field"]) for r in records] == [(2, "origin_country")]
    shown = runner.invoke(app, ["rejects", "show", str(records[0]["id"]), "--db", db])
    assert "unknown_country" in shown.stdout
    assert "QQ" in shown.stdout


def test_unknown_mapping_exits_with_the_not_found_code(
    tmp_path: Path, write_csv: Callable[..., Path]
) -> None:
    path = write_csv([good()])
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "from borderlink.cli import main; main()",
            "ingest",
            str(path),
            "--mapping",
            "nope",
            "--db",
            f"sqlite:///{tmp_path / 'n.db'}",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 3
    assert "no mapping named 'nope'" in done.stderr


def test_db_upgrade_and_check(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'x.db'}"
    assert runner.invoke(app, ["db", "upgrade", "--db", db]).exit_code == 0
    assert runner.invoke(app, ["db", "check", "--db", db]).exit_code == 0


def test_an_unknown_format_is_refused_with_the_registered_ones(
    tmp_path: Path, write_csv: Callable[..., Path]
) -> None:
    db = f"sqlite:///{tmp_path / 'node.db'}"
    result = runner.invoke(app, ["ingest", str(write_csv([good()])), "-f", "xml", "--db", db])
    assert result.exit_code != 0
    assert "unknown format 'xml'; one of: csv, json" in str(result.exception)
    assert not (tmp_path / "node.db").exists()  # refused before the node is opened
