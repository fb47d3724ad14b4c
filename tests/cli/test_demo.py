"""``borderlink demo`` end to end on a temporary SQLite directory.

A demo that "works" but prints a traceback (a background thread that died, an exception logged
on the way) fails here: every run's output is checked for one.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from borderlink.cli import app
from borderlink.services.accounts.users import authenticate
from borderlink.services.node import open_node
from borderlink.settings import Settings

runner = CliRunner()
TRACEBACK = "Traceback (most recent call last)"


def _no_traceback(*streams: str) -> None:
    for stream in streams:
        assert TRACEBACK not in stream, stream


def _clean(result: Result) -> Result:
    """The result, after asserting that neither of its streams shows a traceback."""
    _no_traceback(result.stdout, result.stderr)
    return result


def test_the_traceback_check_catches_one() -> None:
    _no_traceback("ok\n", "")
    with pytest.raises(AssertionError):
        _no_traceback("ok\n", f"{TRACEBACK}:\n  File ...")


def test_demo_prints_a_summary_and_where_to_look_next(tmp_path: Path) -> None:
    result = _clean(
        runner.invoke(app, ["demo", "--dir", str(tmp_path), "--items", "200", "--no-partners"])
    )
    assert result.exit_code == 0, result.output
    assert "BorderLink demo node" in result.stdout
    assert "Where to look next" in result.stdout
    assert "borderlink rejects list" in result.stdout
    assert (tmp_path / "borderlink.db").is_file()
    assert (tmp_path / "demo" / "declarations-seed2026-200.csv").is_file()


def test_demo_json_twice_changes_nothing(tmp_path: Path) -> None:
    args = ["demo", "--dir", str(tmp_path), "--items", "150", "--json"]
    first = _clean(runner.invoke(app, args))
    assert first.exit_code == 0, first.output
    report = json.loads(first.stdout)
    assert report["steps"]["ingest"]["declarations"]["accepted"] == 150
    assert report["database"].endswith("borderlink.db")
    assert all("--db" in command for command in report["next"] if "rejects" in command)
    second = json.loads(_clean(runner.invoke(app, args)).stdout)
    assert second["totals"] == report["totals"]
    assert second["steps"]["ingest"]["declarations"]["duplicates"] == 150
    reset = json.loads(_clean(runner.invoke(app, [*args, "--reset"])).stdout)
    assert reset["totals"] == report["totals"]
    assert reset["steps"]["ingest"]["declarations"]["accepted"] == 150


def test_demo_refuses_a_bad_size(tmp_path: Path) -> None:
    result = runner.invoke(app, ["demo", "--dir", str(tmp_path), "--items", "0"])
    assert result.exit_code != 0


@pytest.mark.slow
def test_the_demo_as_a_person_runs_it_prints_no_traceback(tmp_path: Path) -> None:
    # A real process, partners included: what a thread or a server prints to the process's own
    # stderr reaches the check too, which the in-process runner does not always capture.
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "from borderlink.cli import main; main()",
            *("demo", "--dir", str(tmp_path), "--items", "200"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    _no_traceback(done.stdout, done.stderr)
    assert "Where to look next" in done.stdout
    _partner_nodes_open(done.stdout)


def _partner_nodes_open(printed: str) -> None:
    """Each partner node can be opened as printed: its file checkpointed, its accounts work."""
    lines = printed.splitlines()
    for name in ("Atlantis", "Borduria"):
        [at] = [i for i, line in enumerate(lines) if line.startswith(f"open Customs of {name}:")]
        found = re.search(r"BORDERLINK_DATA_DIR=(\S+)", lines[at])
        assert found is not None
        folder = Path(found[1])
        wal = folder / "borderlink.db-wal"
        assert not wal.exists() or wal.stat().st_size == 0  # nothing left outside the file
        accounts = dict(pair.split(" / ") for pair in lines[at + 1].split(": ", 1)[1].split(", "))
        node = open_node(Settings(data_dir=folder, node_id=name.lower()), migrate=False)
        try:
            principal = authenticate(node, "demo-officer", accounts["demo-officer"])
            assert principal.role.value == "officer"
        finally:
            node.engine.dispose()
