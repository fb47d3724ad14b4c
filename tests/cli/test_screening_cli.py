"""``borderlink watchlists`` and ``borderlink screening`` through the entry point."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from borderlink.cli import app
from tests.cli.conftest import Cli

SDN = (
    '306,"BANCO NACIONAL DE CUBA",-0- ,"CUBA",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,'
    "\"a.k.a. 'BNC'.\"\n"
)


def test_load_list_show_diff(sqlite_cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "sdn.csv"
    path.write_text(SDN, encoding="utf-8")
    code, out, _ = sqlite_cli(
        "watchlists", "load", str(path), "--format", "ofac-csv", "--list", "SDN", "--json"
    )
    assert code == 0
    assert json.loads(out)["added"] == 1
    code, out, _ = sqlite_cli("watchlists", "show", "SDN", "306")
    assert json.loads(out)["names"] == ["BANCO NACIONAL DE CUBA", "BNC"]
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    code, out, _ = sqlite_cli("watchlists", "diff", str(empty), "--list", "SDN", "--json")
    assert json.loads(out)["removed"] == ["306"]
    code, _, err = sqlite_cli("watchlists", "load", str(path), "--format", "xml")
    assert code == 2
    assert "unknown watchlist format" in err
    code, out, _ = sqlite_cli("screening", "run", "--json")
    assert (code, json.loads(out)["entries"]) == (0, 1)


def test_compare_writes_scores_and_summarises(tmp_path: Path) -> None:
    path = tmp_path / "pairs.csv"
    path.write_text(
        'name1,name2,label\n"ABBAS, Abu",Abu Abbas,1\nAcme,Zenith,0\n', encoding="utf-8"
    )
    result = CliRunner().invoke(app, ["screening", "compare", str(path), "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert (summary["pairs"], summary["quality"]["f1"]) == (2, 1.0)
    rows = CliRunner().invoke(app, ["screening", "compare", str(path)]).output.splitlines()
    assert rows[0] == "name1,name2,label,score,match,method"
