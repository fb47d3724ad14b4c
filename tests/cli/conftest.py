"""Running ``borderlink`` commands in-process, as a shell would: ``cli("users", "list")``.

``sqlite_cli`` runs them against a fresh SQLite file; a test that needs both backends builds a
:class:`Cli` on the ``engine`` fixture's URL (see ``test_audit_cli.py``).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from borderlink.cli import main, options
from borderlink.services import Node, open_node
from borderlink.settings import Settings, get_settings


class Cli:
    """Runs one command as ``borderlink ARGS --db URL`` would, closing what it opened."""

    def __init__(self, db: str, capsys: pytest.CaptureFixture[str], mp: pytest.MonkeyPatch):
        self.db, self.capsys, self.mp = db, capsys, mp
        self.opened: list[Node] = []

        def opening(settings: Settings) -> Node:
            self.opened.append(open_node(settings))
            return self.opened[-1]

        # A command's process ends with it; in-process, its engine is disposed here instead.
        mp.setattr(options, "open_node", opening)

    def __call__(self, *args: str) -> tuple[int, str, str]:
        self.mp.setattr(sys, "argv", ["borderlink", *args, "--db", self.db])
        try:
            main()
            code = 0
        except SystemExit as done:
            code = int(done.code or 0)
        finally:
            while self.opened:
                self.opened.pop().engine.dispose()
        out, err = self.capsys.readouterr()
        return code, out, err


def cli_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """What every in-process command run needs: its own data folder, cheap password hashing."""
    monkeypatch.setenv("BORDERLINK_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("BORDERLINK_PASSWORD_HASHING", "fast")
    get_settings.cache_clear()


@pytest.fixture
def sqlite_cli(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> Iterator[Cli]:
    cli_settings(tmp_path, monkeypatch)
    yield Cli(f"sqlite:///{tmp_path / 'cli.db'}", capsys, monkeypatch)
    get_settings.cache_clear()
