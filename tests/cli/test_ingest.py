"""The ingest and rejects commands, end to end on a SQLite file."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from borderlink.cli import app
from tests.cli.conftest import Cli
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
    assert "unknown format 'xml'; one of: csv, cusdec, json, wco-dm-xml" in str(result.exception)
    assert not (tmp_path / "node.db").exists()  # refused before the node is opened


@pytest.mark.parametrize(
    ("name", "data", "args", "looks"),
    [
        ("photo.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 50, [], "a PNG"),
        ("book.csv", b"PK\x03\x04" + b"\x00" * 500, [], "a ZIP archive"),
        ("one.json", b'{"id": "D1"}', ["--format", "json"], "one JSON object"),
        ("text.json", b'"hello"', ["--format", "json"], "a JSON string"),
        ("data.csv", b'[{"id": "D1"}]', [], "JSON (use --format json)"),
    ],
    ids=["png", "zip", "json-object", "json-string", "json-named-csv"],
)
def test_a_file_that_is_not_what_it_claims_is_refused_in_one_line(
    sqlite_cli: Cli, tmp_path: Path, name: str, data: bytes, args: list[str], looks: str
) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    code, out, err = sqlite_cli("ingest", str(path), *args)
    assert code == 2
    [line] = err.strip().splitlines()
    assert f"it looks like {looks}" in line
    assert "\x00" not in out + err
    assert len(out + err) < 400


def test_a_missing_file_is_one_line_not_a_traceback(sqlite_cli: Cli, tmp_path: Path) -> None:
    code, _, err = sqlite_cli("ingest", str(tmp_path / "absent.csv"))
    assert code == 3
    assert err.strip().splitlines() == [
        f"error: no such file: {tmp_path / 'absent.csv'} (field: file)"
    ]


def test_json_records_missing_keys_are_rejects_not_a_failed_file(
    sqlite_cli: Cli, tmp_path: Path
) -> None:
    path = tmp_path / "partial.json"
    path.write_text('[{"id": "D1"}, {"date": "2024-01-01"}, {}, 5, "x"]')
    code, out, _ = sqlite_cli("ingest", str(path), "--format", "json", "--json")
    assert code == 0
    summary = json.loads(out.strip().splitlines()[-1])
    assert (summary["rows"], summary["rejected"]) == (5, 5)


def test_a_huge_or_binary_value_is_shown_short_and_escaped(
    sqlite_cli: Cli, tmp_path: Path, write_csv: Callable[..., Path]
) -> None:
    path = write_csv([good(declaration_id="D\x1b[2J" + "X" * 500_000)])
    assert sqlite_cli("ingest", str(path))[0] == 0
    code, out, _ = sqlite_cli("rejects", "show", "1")
    assert code == 0
    assert "\x1b" not in out
    assert "\\x1b" in out
    assert len(out) < 5_000
    listed = sqlite_cli("rejects", "list")[1]
    assert "\x1b" not in listed
    assert len(listed) < 5_000
