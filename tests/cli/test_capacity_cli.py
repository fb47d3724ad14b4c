"""``borderlink training`` and ``borderlink certifications`` through the real entry point: the
certification gate refuses an uncertified user acting with ``--as``, and the sandbox's exercises
are attempted and marked from the command line."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.conftest import Cli

RED = """- name: stop-cn
  expression: origin == "CN"
  channel: red
  reason: all of CN, for a week
"""


def test_an_uncertified_analyst_is_refused_a_profile_forcing_red(
    sqlite_cli: Cli, tmp_path: Path
) -> None:
    cli = sqlite_cli
    assert cli("db", "upgrade")[0] == 0
    code, _, err = cli(
        "users", "add", "ana", "--role", "risk_analyst", "--password", "long enough pw"
    )
    assert code == 0, err
    profile = tmp_path / "red.yaml"
    profile.write_text(RED)
    code, out, _ = cli("certifications", "require", "--builtin")
    assert "profile-force-red needs risk-analyst: added" in out
    code, _, err = cli("profiles", "add", str(profile), "--as", "ana")
    assert code == 5
    assert "needs the certification risk-analyst" in err
    code, out, err = cli(
        "training",
        "record",
        "ana",
        "--course",
        "risk-analysis-1",
        "--completed",
        "2026-01-15",
        "--result",
        "passed",
        "--certification",
        "risk-analyst",
        "--expires",
        "2099-01-15",
    )
    assert (code, "added" in out) == (0, True), err
    code, out, err = cli("profiles", "add", str(profile), "--as", "ana")
    assert (code, "profile stop-cn version 1" in out) == (0, True), err
    code, out, _ = cli("certifications", "list", "ana", "--json")
    held = json.loads(out)["held"]
    assert [(c["certification"], c["expires_on"]) for c in held] == [("risk-analyst", "2099-01-15")]
    code, out, _ = cli("training", "list", "--as", "ana", "--json")
    assert [r["course"] for r in json.loads(out)] == ["risk-analysis-1"]
    code, out, _ = cli("certifications", "requirements", "--json")
    assert {r["action"] for r in json.loads(out)} == {"nii-result", "profile-force-red"}
    assert cli("certifications", "lift", "profile-force-red")[0] == 0
    code, _, err = cli(
        "training",
        "record",
        "ghost",
        "--course",
        "x",
        "--completed",
        "2026-01-15",
        "--result",
        "passed",
    )
    assert (code, "no user ghost" in err) == (3, True)


def test_the_sandbox_from_the_command_line(sqlite_cli: Cli, tmp_path: Path) -> None:
    cli = sqlite_cli
    code, out, err = cli(
        "training", "start", "--dir", str(tmp_path / "box"), "--items", "2000", "--json"
    )
    assert code == 0, err
    started = json.loads(out)
    assert started["planted"]["undervaluation"] > 0
    code, out, _ = cli("training", "exercises", "--json")
    assert {e["exercise"]["name"] for e in json.loads(out)} >= {"find-undervalued"}
    code, out, err = cli(
        "training",
        "attempt",
        "find-undervalued",
        "--as",
        "demo-officer",
        "--answer",
        "NOT-1 NOT-2",
        "--json",
    )
    assert code == 0, err
    marked = json.loads(out)
    assert (marked["score"]["score"], marked["score"]["passed"]) == (0.0, False)
    assert marked["record"]["record"]["result"] == "failed"
    code, _, err = cli("training", "attempt", "find-undervalued", "--answer", "X")
    assert code != 0  # --as is required: an exercise is a person's
