"""Every command a user can type is documented in the README (the datasette practice)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import typer

from borderlink.cli import app

README = Path(__file__).resolve().parents[1] / "README.md"


def command_paths(command: Any, prefix: str) -> list[str]:
    if hasattr(command, "commands"):
        paths: list[str] = []
        for name, sub in command.commands.items():
            paths += command_paths(sub, f"{prefix} {name}")
        return paths
    return [prefix]


def test_every_cli_command_appears_in_the_readme() -> None:
    text = README.read_text(encoding="utf-8")
    root = typer.main.get_command(app)
    paths = command_paths(root, "borderlink")
    missing = []
    for path in paths:
        group, _, leaf = path.rpartition(" ")
        # A line like "`borderlink rejects list` / `show ID` / `retry`" documents all three.
        documented = path in text or any(
            re.search(rf"(`|/ |{re.escape(group.split()[-1])} ){re.escape(leaf)}\b", line)
            for line in text.splitlines()
            if f"{group} " in line
        )
        if not documented:
            missing.append(path)
    assert not missing, f"commands missing from README.md: {missing}"
