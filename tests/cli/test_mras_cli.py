"""``borderlink mras`` through the real entry point: put, list, show, map, trusted."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from borderlink.services import open_node
from borderlink.settings import get_settings
from tests.cli.conftest import Cli

NATIONAL = """
mra_id: NATIONAL
title: national AEO programme
partner: node-local
programmes: [AEOC, AEOF]
benefits: {risk_weight: 0.5, document_checks: 0.25}
"""


@pytest.fixture
def cli(sqlite_cli: Cli) -> Cli:
    node = open_node(get_settings().model_copy(update={"db": sqlite_cli.db}), migrate=True)
    node.engine.dispose()
    return sqlite_cli


def test_put_list_show_map_and_trusted(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "national.yaml").write_text(NATIONAL)
    code, out, _ = cli("mras", "put", str(tmp_path / "national.yaml"))
    assert code == 0
    assert "NATIONAL" in out
    code, out, _ = cli("mras", "list", "--json")
    assert [m["benefits"]["risk_weight"] for m in json.loads(out)["mras"]] == [0.5]
    code, out, _ = cli("mras", "show", "NATIONAL")
    assert json.loads(out)["programmes"] == ["AEOC", "AEOF"]
    (tmp_path / "map.csv").write_text("partner_trader_id,local_trader_id\nAT-1,BD 1\nAT2,BD2\n")
    for _ in range(2):  # the same file twice changes nothing
        code, out, _ = cli("mras", "map", "NATIONAL", str(tmp_path / "map.csv"))
        assert code == 0
        assert "holds 2" in out
    (tmp_path / "bad.csv").write_text("partner,local\nA,B\n")
    code, _, err = cli("mras", "map", "NATIONAL", str(tmp_path / "bad.csv"))
    assert code == 2
    assert "partner_trader_id" in err
    code, out, _ = cli("mras", "trusted", "--json")
    assert json.loads(out) == {"trusted": []}  # no AEO status issued yet
    code, _, err = cli("mras", "trusted", "--on", "yesterday")
    assert code == 2
    (tmp_path / "bad.yaml").write_text(NATIONAL.replace("0.5", "2"))
    code, _, err = cli("mras", "put", str(tmp_path / "bad.yaml"))
    assert code == 2
    assert "benefits.risk_weight" in err
