"""``borderlink inspections``, ``incidents`` and ``sops`` through the real entry point."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from borderlink.services import open_node
from borderlink.services.accounts import users as accounts
from borderlink.services.accounts.access import Principal, Role
from borderlink.settings import get_settings
from tests.cli.conftest import Cli
from tests.surfaces import OFFICE_A, seed_declarations, seed_scores

RULE = "- name: a\n  agency: health\n  condition: office == 'OFA'\n  reason: A\n"


@pytest.fixture
def cli(sqlite_cli: Cli) -> Cli:
    node = open_node(get_settings().model_copy(update={"db": sqlite_cli.db}), migrate=True)
    office_a, _ = seed_declarations(node)
    seed_scores(node, {office_a[0]: "red"})
    accounts.add_user(
        node,
        Principal.system("test"),
        username="officer-1",
        password="a long enough password",
        role=Role.OFFICER,
        office_id=OFFICE_A,
    )
    node.engine.dispose()
    return sqlite_cli


def test_plan_assign_report_and_the_saving(cli: Cli, tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text(RULE)
    assert cli("agencies", "load", str(rules))[0] == 0
    assert cli("referrals", "route")[0] == 0
    target = f"D-{OFFICE_A}-0"
    plan = ("inspections", "plan", target, "--at", "2026-12-03T09:00Z", "--place", "bay 1")
    code, out, err = cli(*plan, "--agency", "health", "--json")
    assert code == 0, err
    assert json.loads(out)["status"] == "planned"
    code, _, err = cli(*plan, "--agency", "police")
    assert code != 0
    assert "not referred to police" in err
    code, out, _ = cli("inspections", "joint", "--json")
    assert json.loads(out)["total"] == 1
    assert cli("inspections", "capacity", OFFICE_A, "1")[0] == 0
    code, out, err = cli(
        "inspections", "assign", target, "--officer", "officer-1", "--day", "2026-12-03"
    )
    assert code == 0, err
    assert "(1 of 1)" in out
    code, _, err = cli(
        "inspections", "assign", f"D-{OFFICE_A}-2", "--officer", "officer-1", "--day", "2026-12-03"
    )
    assert code != 0
    assert "capacity is 1 a day" in err
    report = tmp_path / "report.yaml"
    report.write_text(
        "methods: [physical]\nfindings: [{item_no: 1, as_declared: true}]\nillicit: false\n"
    )
    code, out, err = cli("inspections", "report", target, str(report))
    assert code == 0, err
    assert "report version 1, compliant" in out
    report.write_text("methods: []\nillicit: false\n")
    code, _, err = cli("inspections", "report", target, str(report))
    assert code != 0
    assert "methods" in err
    code, out, _ = cli("inspections", "saving", "--json")
    assert json.loads(out)["planned"] == 1


def test_incidents_and_sops(cli: Cli, tmp_path: Path) -> None:
    opening = tmp_path / "incident.yaml"
    opening.write_text("what: ivory\nwhere: bay 3\nwhen: 2026-12-02T09:30\npersons: [A]\n")
    code, out, err = cli("incidents", "open", str(opening), "--reference", "INC-1")
    assert code == 0, err
    assert cli("incidents", "open", str(opening), "--reference", "INC-1")[0] == 0  # once
    more = tmp_path / "more.yaml"
    more.write_text("actions: [detained]\n")
    code, out, _ = cli("incidents", "add", "1", str(more), "--key", "k1")
    assert "2 entries" in out
    code, out, _ = cli("incidents", "show", "1")
    assert json.loads(out)["report"]["actions"] == ["detained"]
    code, out, _ = cli("incidents", "list", "--json")
    assert json.loads(out)["total"] == 1
    code, out, _ = cli("incidents", "templates")
    assert "border-post" in out
    procedure = tmp_path / "sop.md"
    procedure.write_text("# Check\nseals")
    publish = ("sops", "publish", str(procedure), "--agency", "health", "--title", "Seals")
    assert "version 1: published" in cli(*publish)[1]
    assert "version 1: unchanged" in cli(*publish)[1]
    code, out, _ = cli("sops", "show", "health")
    assert "seals" in out
    code, out, _ = cli("sops", "list", "--json")
    assert [s["version"] for s in json.loads(out)] == [1]
