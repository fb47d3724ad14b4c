"""``borderlink audit seal`` and ``audit verify`` through the real entry point, on both backends."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, update

from borderlink.cli import main, options
from borderlink.services import Node, open_node
from borderlink.settings import Settings, get_settings
from borderlink.store.tables import audit_log
from tests.services.test_audit_seal import tamper


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


@pytest.fixture
def cli(
    engine: Engine,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Cli]:
    monkeypatch.setenv("BORDERLINK_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("BORDERLINK_PASSWORD_HASHING", "fast")
    get_settings.cache_clear()
    yield Cli(engine.url.render_as_string(hide_password=False), capsys, monkeypatch)
    get_settings.cache_clear()


def test_seal_then_verify_then_tamper(cli: Cli, engine: Engine) -> None:
    code, _, err = cli("node", "init")
    assert code == 0, err
    for name in ("olga", "ivan"):
        code, _, err = cli("users", "add", name, "--role", "auditor", "--password", "long pw 1")
        assert code == 0, err
    code, out, err = cli("audit", "seal", "--json")
    assert code == 0, err
    sealed = json.loads(out)
    assert sealed["chained"] == 3  # node.init, two user.add
    assert sealed["tree_size"] == 3
    assert json.loads(cli("audit", "seal", "--json")[1])["chained"] == 0
    code, out, err = cli("audit", "verify", "--json")
    assert code == 0, err
    report = json.loads(out)
    assert (report["ok"], report["chained"], report["committed"]) == (True, 3, 3)

    tamper(engine, update(audit_log).where(audit_log.c.entry_id == 2).values(actor="nobody"))
    code, out, err = cli("audit", "verify")
    assert code == 7
    assert "audit entry 2" in out
    assert "altered after it was chained" in out
    assert "1 entry mismatched (2)" in err


def test_seal_without_a_key_chains_and_says_no_head(cli: Cli) -> None:
    cli("users", "add", "olga", "--role", "auditor", "--password", "long pw 1")
    code, out, _ = cli("audit", "seal", "--limit", "5")
    assert code == 0
    assert "1 audit entry chained" in out
    assert "no node key" in out
    code, out, _ = cli("audit", "verify")
    assert code == 0
    assert "1 chained" in out
