"""``borderlink agencies`` and ``borderlink referrals`` through the real entry point."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from borderlink.services import open_node
from borderlink.settings import get_settings
from tests.cli.conftest import Cli
from tests.surfaces import OFFICE_A, seed_declarations


@pytest.fixture
def cli(sqlite_cli: Cli) -> Cli:
    node = open_node(get_settings().model_copy(update={"db": sqlite_cli.db}), migrate=True)
    seed_declarations(node)  # three declarations at office A, three at B: HS 851762 from CN
    node.engine.dispose()
    return sqlite_cli


def test_load_route_list_answer_and_times(cli: Cli, tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        "- name: phones\n  agency: health\n"
        f"  condition: hs.chapter == '85' and office == '{OFFICE_A}'\n  reason: phones\n"
    )
    code, out, _ = cli("agencies", "load", str(rules))
    assert (code, "rule phones → health: added" in out) == (0, True)
    code, out, _ = cli("agencies", "load", "--example")
    assert code == 0
    assert "sps-food → health: added" in out
    code, out, _ = cli("agencies", "list", "--json")
    assert {r["rule"]["name"] for r in json.loads(out)} >= {"phones", "sps-food", "timber"}

    code, out, _ = cli("referrals", "route", "--json")
    assert code == 0
    assert json.loads(out) == {
        "declarations": 6,
        "referred": 3,
        "already": 0,
        "agencies": {"health": 3},
    }
    assert json.loads(cli("referrals", "route", "--json")[1])["referred"] == 0  # idempotent

    code, out, _ = cli("referrals", "list", "--json")
    page = json.loads(out)
    assert page["total"] == 3
    first = page["items"][0]["referral_id"]

    user = ("users", "add", "doc", "--role", "agency_officer", "--agency", "health")
    assert cli(*user, "--password", "a long enough password")[0] == 0
    police = ("users", "add", "cop", "--role", "agency_officer", "--agency", "police")
    assert cli(*police, "--password", "a long enough password")[0] == 0

    code, out, err = cli("referrals", "answer", str(first), "--status", "held", "--as", "cop")
    assert (code, "no referral" in err) == (3, True)  # another agency's: not found
    code, out, _ = cli(
        "referrals", "answer", str(first), "--status", "held", "--finding", "lab", "--as", "doc"
    )
    assert (code, f"referral {first} (health) is held" in out) == (0, True)
    code, _, err = cli("referrals", "answer", str(first), "--status", "open", "--as", "doc")
    assert (code, "it may become cleared, rejected" in err) == (4, True)

    code, out, _ = cli("referrals", "show", str(first), "--as", "doc")
    shown = json.loads(out)
    assert (shown["status"], shown["finding"], shown["importer_id"]) == (
        "held",
        "lab",
        "[redacted]",
    )
    assert json.loads(cli("referrals", "list", "--json", "--as", "cop")[1])["total"] == 0

    code, out, _ = cli("referrals", "times", "--json")
    times = {t["agency"]: t for t in json.loads(out)}
    assert times["health"]["pending"] == 2
    assert times["health"]["statuses"]["held"] == 1
    code, out, _ = cli("referrals", "times")
    assert "health" in out


def test_route_without_rules_says_so_and_load_needs_a_file(cli: Cli) -> None:
    code, out, _ = cli("referrals", "route")
    assert (code, "no active agency rules" in out) == (0, True)
    assert cli("agencies", "load")[0] == 2
