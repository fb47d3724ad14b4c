"""The cooperation commands, run as a user would (one node, a partner that is offline)."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from typer.testing import CliRunner

from borderlink.cli.app import app, main
from borderlink.errors import InvalidInput, PartnerUnavailable
from borderlink.exchange.identity import NodeIdentity
from borderlink.services.cooperation import load_agreement_yaml
from borderlink.services.cooperation.agreements import sign_copy
from borderlink.settings import get_settings

B = NodeIdentity("B", "B", Ed25519PrivateKey.generate())
B_KEY = B.public_key
AGREEMENT = """
agreement_id: AB-1
title: A-B
type: bilateral-mou
parties: [A, B]
legal_basis: MoU 2026
categories: [seizure, alert]
purposes: [risk-management]
redact: {seizure: [concealment]}
amber_recipients: [B]
"""
SEIZURE = """
seized_on: 2026-11-20
goods_description: cigarettes
hs_code: "240220"
origin_country: CN
concealment: sofa
parties: [{role: importer, party_id: T-1, name: ACME}]
"""


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    monkeypatch.setenv("BORDERLINK_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("BORDERLINK_NODE_ID", "A")
    monkeypatch.setenv("BORDERLINK_ENVIRONMENT", "test")
    monkeypatch.setenv("BORDERLINK_EXCHANGE_TIMEOUT_S", "0.5")
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


def _run(cli: CliRunner, *args: str) -> str:
    result = cli.invoke(app, list(args))
    assert result.exit_code == 0, (result.output, result.exception)
    return result.stdout


def test_node_partners_agreements_records_log(cli: CliRunner, tmp_path: Path) -> None:
    ident = json.loads(_run(cli, "node", "init", "--json"))
    assert ident["node_id"] == "A"
    assert json.loads(_run(cli, "node", "show", "--json"))["public_key"] == ident["public_key"]
    _run(cli, "partners", "add", "B", "--name", "B", "--key", B_KEY, "--url", "http://127.0.0.1:9")
    assert [
        p["partner_id"] for p in json.loads(_run(cli, "partners", "list", "--json"))["partners"]
    ] == ["B"]
    (tmp_path / "ab.yaml").write_text(AGREEMENT)
    _run(cli, "agreements", "add", str(tmp_path / "ab.yaml"))
    for step in ("signed", "ratified", "in_force"):
        _run(cli, "agreements", "transition", "AB-1", step, "--reason", "test")
    assert json.loads(_run(cli, "agreements", "show", "AB-1", "--json"))["state"] == "in_force"
    # Nothing flows until B's signed copy of the agreement is taken and matches A's.
    (tmp_path / "b-copy.jws").write_text(sign_copy(B, load_agreement_yaml(AGREEMENT)))
    assert json.loads(_run(cli, "agreements", "copies", "--json"))["copies"][0]["status"] == (
        "missing"
    )
    taken = json.loads(_run(cli, "agreements", "take", str(tmp_path / "b-copy.jws"), "--json"))
    assert taken["status"] == "confirmed"
    _run(cli, "agreements", "copy", "AB-1", "--out", str(tmp_path / "a-copy.jws"))
    assert (tmp_path / "a-copy.jws").read_text().count(".") == 2  # a compact JWS for B
    (tmp_path / "s.yaml").write_text(SEIZURE)
    results = json.loads(_run(cli, "records", "seizure", str(tmp_path / "s.yaml"), "--json"))[
        "results"
    ]
    assert [r["released_to"] for r in results] == [["B"], ["B"]]
    assert all("B" in r["notice_failures"] for r in results)  # B is offline: it will poll
    seizure_id = results[0]["record_id"]
    report = json.loads(_run(cli, "log", "verify", "--record", seizure_id, "--json"))
    assert report["tree_size"] == 2
    assert report["inclusion"][0]["entry"]["kind"] == "sent"
    assert json.loads(_run(cli, "records", "alerts", "--json")) == {"alerts": []}
    # B is offline: a scheduled round reports it and goes on; a direct sync fails with its code.
    assert "B: 0 accepted, 1 refused" in _run(cli, "exchange", "poll", "--rounds", "1")
    failed = cli.invoke(app, ["exchange", "sync", "B"])
    assert isinstance(failed.exception, PartnerUnavailable)


def test_errors_exit_with_their_code(
    cli: CliRunner,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    (tmp_path / "ab.yaml").write_text(AGREEMENT)
    _run(cli, "agreements", "add", str(tmp_path / "ab.yaml"))
    monkeypatch.setattr(sys, "argv", ["borderlink", "agreements", "transition", "AB-1", "in_force"])
    with pytest.raises(SystemExit) as done:
        main()
    assert done.value.code == 4
    assert "cannot go from draft to in_force" in capsys.readouterr().err
    monkeypatch.setattr(sys, "argv", ["borderlink", "log", "verify"])
    with pytest.raises(SystemExit) as done:
        main()
    assert done.value.code == 78  # no node key yet


def test_exchange_demo_flags_a_declaration_in_borduria(cli: CliRunner, tmp_path: Path) -> None:
    output = _run(cli, "exchange", "demo", "--dir", str(tmp_path / "demo"))
    assert "flagged BOR-2026-100231" in output
    assert "BOR-2026-100232" not in output  # other HS code
    assert "declaration_id, parties" in output.replace("\n", " ")
    with pytest.raises(AssertionError):
        _run(cli, "exchange", "demo", "--dir", str(tmp_path / "demo"))  # not from scratch


def test_records_export_prints_what_the_partner_reads(
    cli: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.coop_samples import parse_strictly, stix_errors

    demo = tmp_path / "demo"
    cli.invoke(app, ["exchange", "demo", "--dir", str(demo)])  # Borduria's sync may time out
    for node_id in ("atlantis", "borduria"):  # each node's database and key in its folder
        assert {"borderlink.db", "node_key.pem"} <= {p.name for p in (demo / node_id).iterdir()}
    monkeypatch.setenv("BORDERLINK_DATA_DIR", str(demo / "atlantis"))
    monkeypatch.setenv("BORDERLINK_NODE_ID", "atlantis")
    get_settings.cache_clear()
    printed = _run(cli, "records", "export", "--partner", "borduria", "--format", "stix")
    bundle = json.loads(printed)
    objects = bundle["objects"]
    assert bundle["type"] == "bundle"
    assert {"report", "indicator", "location", "note", "extension-definition"} <= {
        o["type"] for o in objects
    }
    # The assistance request and the joint operation name their subject to the one partner
    # they are addressed to, under the agreements they name; the seizure's records do not.
    addressed = {"course-of-action", "grouping"}
    shared = json.dumps([o for o in objects if o["type"] not in addressed])
    for withheld in ("false bottoms", "Sofa Imports", "ATL-T-0042", "ATL-2026-000417"):
        assert withheld not in shared  # redacted as the agreement says, parts included
    assert "false bottoms" not in printed
    assert "ATL-T-0042" in json.dumps([o for o in objects if o["type"] == "course-of-action"])
    assert "sofa frames" in printed  # the goods description may go
    assert stix_errors(objects) == []
    assert len(parse_strictly(objects)) == len(objects)
    refused = cli.invoke(app, ["records", "export", "--partner", "borduria", "--format", "csv"])
    assert isinstance(refused.exception, InvalidInput)  # exit 2 through main()


def test_partners_credentials_are_printed_once_and_revoked(cli: CliRunner) -> None:
    _run(cli, "node", "init", "--json")
    _run(cli, "partners", "add", "B", "--name", "B", "--key", B_KEY, "--url", "http://127.0.0.1:9")
    made = json.loads(_run(cli, "partners", "credentials", "B", "--json"))
    assert set(made) == {"username", "password"}
    assert made["username"].startswith("taxii-B-")
    assert len(made["password"]) >= 24
    ended = json.loads(_run(cli, "partners", "credentials", "B", "--revoke", "--json"))
    assert ended == {"revoked": [made["username"]]}
    again = cli.invoke(app, ["partners", "credentials", "B", "--revoke"])
    assert again.exit_code != 0  # nothing left to revoke
