"""``borderlink refdata`` against a temporary SQLite node."""

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from borderlink.cli import app
from borderlink.errors import InvalidInput, NotFound

runner = CliRunner()


@pytest.fixture
def db(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'node.db'}"


def invoke(*args: str) -> str:
    result = runner.invoke(app, ["refdata", *args])
    assert result.exit_code == 0, (result.output, result.exception)
    return result.output


def test_load_and_show_hs(db: str, shared_data: Path) -> None:
    output = invoke("load", "hs", str(shared_data / "hs" / "hs2022.csv"), "--db", db)
    assert "loaded 6,936 HS codes HS2022" in output
    shown = invoke("show", "hs", "8517", "--db", db)
    assert "Section XVI" in shown
    assert "85 Electrical machinery" in shown
    assert "8517 Telephone sets" in shown
    assert "851713 Telephone sets; smartphones" in shown
    view = json.loads(invoke("show", "hs", "8517", "--json", "--db", db))
    assert view["source"] == "loaded"
    assert [a["code"] for a in view["ancestors"]] == ["85"]
    assert "851713" in [d["code"] for d in view["descendants"]]


def test_show_hs_without_a_file_uses_the_builtin_edition(db: str) -> None:
    shown = invoke("show", "hs", "85", "--db", db)
    assert "HS2022 (builtin)" in shown
    assert "851713" in shown


def test_load_an_older_edition_and_its_correlation(db: str, shared_data: Path) -> None:
    hs = shared_data / "hs"
    loaded = json.loads(invoke("load", "hs", str(hs / "hs2017.csv"), "--json", "--db", db))
    assert loaded == {
        "loaded": "HS codes",
        "rows": 6_705,
        "file": str(hs / "hs2017.csv"),
        "edition": "HS2017",
    }
    correlation = str(hs / "hs2022-hs2017-correlation.csv")
    output = invoke(
        "load", "correlation", correlation, "--from", "HS2017", "--to", "HS2022", "--db", db
    )
    assert "loaded 15,656 correlation pairs" in output
    shown = invoke("show", "hs", "620111", "--db", db)
    assert "HS2017 (loaded)" in shown
    assert "620120" in shown
    listing = json.loads(invoke("list", "--json", "--db", db))
    assert [(e["edition"], e["source"]) for e in listing["editions"]] == [
        ("HS2017", "loaded"),
        ("HS2022", "builtin"),
    ]
    assert listing["correlations"][0]["from_edition"] == "HS2017"
    assert listing["correlations"][0]["unambiguous_forward"] > 4_000
    text = invoke("list", "--db", db)
    assert "HS2017" in text
    assert "15,656" in text


def test_load_rates_and_locode(db: str, tmp_path: Path) -> None:
    rates = tmp_path / "rates.csv"
    rates.write_text("currency,valid_from,rate\nKRW,2020-01-01,0.00085\n", encoding="utf-8")
    assert "loaded 1 exchange rates" in invoke("load", "rates", str(rates), "--db", db)
    locode = tmp_path / "code-list.csv"
    locode.write_text(
        "Change,Country,Location,Name,NameWoDiacritics,Subdivision,Status,Function,Date,IATA,"
        "Coordinates,Remarks\n"
        ",NL,RTM,Rotterdam,Rotterdam,ZH,AF,12345---,0701,,5155N 00430E,\n",
        encoding="utf-8",
    )
    summary = json.loads(invoke("load", "locode", str(locode), "--json", "--db", db))
    assert summary["rows"] == 1
    listing = json.loads(invoke("list", "--json", "--db", db))
    assert (listing["rates"], listing["locations"]) == (1, 1)


def test_show_country(db: str) -> None:
    output = invoke("show", "country", "kr")
    assert "Korea, Republic of" in output
    assert "KOR" in output
    assert "410" in output
    assert json.loads(invoke("show", "country", "DE", "--json", "--db", db))["alpha_3"] == "DEU"


def test_errors_are_borderlink_errors(db: str, tmp_path: Path) -> None:
    broken = tmp_path / "broken.csv"
    broken.write_text("section,hscode,description,parent,level\nI,0X,Animals,TOTAL,2\n", "utf-8")
    result = runner.invoke(app, ["refdata", "load", "hs", str(broken), "--db", db])
    assert isinstance(result.exception, InvalidInput)
    assert "line 2, field 'hscode'" in result.exception.detail
    result = runner.invoke(app, ["refdata", "show", "hs", "0199", "--db", db])
    assert isinstance(result.exception, NotFound)
    result = runner.invoke(app, ["refdata", "show", "country", "XX"])
    assert isinstance(result.exception, NotFound)
    result = runner.invoke(app, ["refdata", "load", "hs", str(tmp_path / "absent.csv")])
    assert result.exit_code == 2  # click refuses a missing file before anything runs
