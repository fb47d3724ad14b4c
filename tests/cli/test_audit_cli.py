"""``borderlink audit seal`` and ``audit verify`` through the real entry point, on both backends."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, update

from borderlink.settings import get_settings
from borderlink.store.tables import audit_log
from tests.cli.conftest import Cli, cli_settings
from tests.services.accounts.test_audit_seal import tamper


@pytest.fixture
def cli(
    engine: Engine,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Cli]:
    cli_settings(tmp_path, monkeypatch)
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
