"""An analyst corrects a rejected record as it was read and retries it: accepted when the
correction holds, traced in the audit log with the values before and after."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select

from borderlink.errors import Conflict, InvalidInput, PermissionDenied
from borderlink.services import Node
from borderlink.services.accounts.access import Principal, Role
from borderlink.services.ingest.files import ingest_file
from borderlink.services.ingest.rejects import correct_reject
from borderlink.store.tables import audit_log, declarations, rejects
from tests.cli.conftest import Cli, cli_settings
from tests.factories import good

OPS = Principal.system("test")
ANALYST = Principal(user_id=7, username="analyst-1", role=Role.RISK_ANALYST)
LIAISON = Principal(user_id=8, username="liaison-1", role=Role.LIAISON_OFFICER)
WriteCsv = Callable[..., Path]


def _one_reject(node: Node, write_csv: WriteCsv) -> int:
    path = write_csv([good(declaration_id="FIX-1", hs_code="85171")])  # five digits: refused
    assert ingest_file(node, OPS, path).rejected == 1
    with node.read() as conn:
        return int(conn.execute(select(rejects.c.reject_id)).scalar_one())


def test_a_correction_that_holds_stores_the_declaration_and_is_audited(
    node: Node, write_csv: WriteCsv
) -> None:
    reject_id = _one_reject(node, write_csv)
    done = correct_reject(
        node, ANALYST, reject_id, {"hs_code": "851713"}, reason="typo at the broker"
    )
    assert (done.retried, done.resolved, done.still_rejected) == (1, 1, 0)
    with node.read() as conn:
        assert conn.execute(
            select(declarations.c.declaration_id).where(declarations.c.declaration_id == "FIX-1")
        ).scalar_one()
        status = conn.execute(select(rejects.c.status)).scalar_one()
        entry = conn.execute(select(audit_log).where(audit_log.c.action == "reject.correct")).one()
    assert status == "resolved"
    assert entry.actor == "analyst-1"
    assert entry.reason == "typo at the broker"
    assert entry.details == {"before": {"hs_code": "85171"}, "after": {"hs_code": "851713"}}


def test_a_correction_that_does_not_hold_keeps_the_record_with_its_new_reason(
    node: Node, write_csv: WriteCsv
) -> None:
    reject_id = _one_reject(node, write_csv)
    done = correct_reject(node, ANALYST, reject_id, {"hs_code": "8517130"})
    assert (done.resolved, done.still_rejected) == (0, 1)
    with node.read() as conn:
        row = conn.execute(select(rejects.c.status, rejects.c.raw)).one()
    assert row.status == "open"
    assert row.raw["hs_code"] == "8517130"  # the correction is kept, to be corrected again


def test_only_the_records_own_fields_and_only_open_records(node: Node, write_csv: WriteCsv) -> None:
    reject_id = _one_reject(node, write_csv)
    with pytest.raises(InvalidInput, match="no field 'hs'") as refused:
        correct_reject(node, ANALYST, reject_id, {"hs": "851713"})
    assert refused.value.field == "hs"
    with pytest.raises(InvalidInput, match="at least one field"):
        correct_reject(node, ANALYST, reject_id, {})
    correct_reject(node, ANALYST, reject_id, {"hs_code": "851713"})
    with pytest.raises(Conflict, match="already resolved"):
        correct_reject(node, ANALYST, reject_id, {"hs_code": "851712"})


def test_who_may_not_retry_may_not_correct(node: Node, write_csv: WriteCsv) -> None:
    reject_id = _one_reject(node, write_csv)
    with pytest.raises(PermissionDenied):
        correct_reject(node, LIAISON, reject_id, {"hs_code": "851713"})
    with node.read() as conn:
        assert conn.execute(select(rejects.c.raw)).scalar_one()["hs_code"] == "85171"


def test_the_command_line_corrects_and_retries(
    node: Node,
    write_csv: WriteCsv,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    reject_id = _one_reject(node, write_csv)
    cli_settings(tmp_path, monkeypatch)
    cli = Cli(node.engine.url.render_as_string(hide_password=False), capsys, monkeypatch)
    code, out, err = cli("rejects", "fix", str(reject_id), "--set", "hs_code=851713", "--json")
    assert code == 0, err
    assert '"resolved":1' in out.replace(" ", "")
