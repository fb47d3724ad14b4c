"""WCO DM XML declarations through the node's ingest: the HMRC CDS samples, a directory, the API."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select
from typer.testing import CliRunner

from borderlink.cli import app as cli_app
from borderlink.demo import wco_dm as synthetic
from borderlink.server import create_app
from borderlink.server.deps import SESSION_COOKIE
from borderlink.services import Node
from borderlink.services.accounts import users as accounts
from borderlink.services.accounts.access import Principal, Role
from borderlink.services.ingest.details import as_sent
from borderlink.services.ingest.files import ingest_file
from borderlink.store.tables import audit_log, declarations, goods_items, rejects
from tests.surfaces import PASSWORD, Seeded, client, seed

OPS = Principal.system("test")
SAMPLES = "wco-dm/hmrc-cds-exports"
# What the samples are when the node does not take them: two are not well-formed XML (a comment
# left open), seven are simplified declarations without commodity codes, one gives origin ZU,
# three are additional messages for declarations (by MRN) that this node never received.
NOT_TAKEN = {
    "TT_EX002a__TT_EX002a.xml": "malformed_record",
    "TT_EX022a__TT_EX022a_Declaration1_(Step1).xml": "malformed_record",
    "TT_EX002b__TT_EX002b.xml": "malformed_record",
    "TT_EX007a__TT_EX007a.xml": "malformed_record",
    "TT_EX026a__TT_EX026a.xml": "malformed_record",
    "TT_EX030a__Step1_TT_EX030a.xml": "malformed_record",
    "TT_EX031a__Step1_TT_EX031a.xml": "malformed_record",
    "TT_EX044a__TT_EX044a.xml": "malformed_record",
    "TT_EX037a__TT_EX037a.xml": "unknown_country",
    "TT_EX009a__Step5_TT_EX009a_Amendment.xml": "unknown_declaration",
    "TT_EX010a__TT_EX010a_Cancellation.xml": "unknown_declaration",
    "TT_EX052a__Step3_Cancellation.xml": "unknown_declaration",
}


def test_every_hmrc_sample_is_accepted_or_rejected_with_its_reason(
    node: Node, shared_data: Path
) -> None:
    files = sorted((shared_data / SAMPLES).glob("*.xml"))
    assert len(files) == 59
    for path in files:
        summary = ingest_file(node, OPS, path, format="wco-dm-xml")
        assert summary.rows == summary.accepted + summary.rejected + summary.duplicates
        if path.name in NOT_TAKEN:
            assert summary.rejected >= 1, path.name
            assert NOT_TAKEN[path.name] in summary.errors, path.name
        else:
            assert summary.rejected == 0, (path.name, summary.errors)
            assert summary.accepted >= 1, path.name
    with node.read() as conn:
        found = conn.execute(select(rejects.c.source, rejects.c.issues)).all()
    assert {Path(r.source).name for r in found} == set(NOT_TAKEN)
    for row in found:  # each reason names the file it came from
        assert Path(row.source).name in " ".join(i["message"] for i in row.issues) or any(
            i["reason"] == "unknown_country" for i in row.issues
        )


def test_a_sample_is_stored_as_the_file_says(node: Node, shared_data: Path) -> None:
    ingest_file(node, OPS, shared_data / SAMPLES / "TT_EX004a__TT_EX004a.xml", format="wco-dm-xml")
    with node.read() as conn:
        header = conn.execute(select(declarations)).one()
        items = conn.execute(select(goods_items).order_by(goods_items.c.item_no)).all()
    assert header.declaration_id == "TTEX004a_1010WE"
    assert (header.declaration_type, header.office_id, header.procedure) == (
        "EX",
        "GB000051",
        "1040",
    )
    assert (header.transport_mode, header.conveyance) == ("1", "MSCSUPERGUN")
    assert (header.declarant_id, header.exporter_id) == ("GB150454489082", "GB896458895015")
    assert [(i.item_no, i.hs_code, i.currency) for i in items] == [
        (1, "930190", "GBP"),
        (2, "930591", "GBP"),
    ]
    assert items[0].net_mass_kg == 15


def test_a_directory_goes_on_past_a_malformed_file(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    synthetic.write_file(folder / "a.xml", 1)
    (folder / "b.xml").write_text("<md:MetaData><Declaration>", encoding="utf-8")
    synthetic.write_file(folder / "c.xml", 2)
    (folder / "notes.txt").write_text("not read", encoding="utf-8")
    db = f"sqlite:///{tmp_path / 'node.db'}"
    done = CliRunner().invoke(
        cli_app, ["ingest", str(folder), "--format", "wco-dm-xml", "--json", "--db", db]
    )
    assert done.exit_code == 0, done.output
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    assert (summary["files"], summary["rows"], summary["accepted"], summary["rejected"]) == (
        3,
        5,
        4,
        1,
    )


def _post_xml(app: FastAPI, token: str, body: bytes, media: str) -> httpx.Response:
    async def go() -> httpx.Response:
        async with client(app, token) as c:
            headers = {"Content-Type": media}
            return await c.post("/api/v1/declarations", content=body, headers=headers)

    return asyncio.run(go())


@pytest.mark.parametrize("media", ["application/xml", "text/xml; charset=utf-8"])
def test_the_api_takes_the_same_xml_body(node: Node, media: str) -> None:
    seeded = seed(node)
    app = create_app(seeded.node.settings, node=seeded.node)
    token = seeded.tokens[Role.ADMINISTRATOR]
    answer = _post_xml(app, token, synthetic.message(11).encode(), media)
    assert answer.status_code == 200, answer.text
    assert answer.json()["summary"]["accepted"] == 2
    bomb = b'<!DOCTYPE d [<!ENTITY a "aaaa">]><Declaration>&a;</Declaration>'
    refused = _post_xml(app, token, bomb, media)
    assert refused.status_code == 200
    assert refused.json()["summary"]["rejected"] == 1
    json_still = asyncio.run(_post_json(app, token))
    assert json_still.status_code == 200, json_still.text


async def _post_json(app: FastAPI, token: str) -> httpx.Response:
    body = [{"id": "API-J1", "date": "2024-03-01", "items": [{"hs_code": "851713"}]}]
    async with client(app, token) as c:
        return await c.post("/api/v1/declarations", json=body)


def test_what_the_flat_layout_has_no_column_for_is_kept_and_redacted_like_the_declaration(
    node: Node, shared_data: Path
) -> None:
    seeded = seed(node)
    ingest_file(node, OPS, shared_data / SAMPLES / "TT_EX001a__TT_EX001a.xml", format="wco-dm-xml")
    kept = as_sent(node, OPS, "U.7847323YIPYA")
    assert kept is not None
    with node.read() as conn:  # the read showed party data: it is audited
        audited = conn.execute(
            select(audit_log.c.reason).where(
                audit_log.c.action == "declaration.read",
                audit_log.c.object_id == "U.7847323YIPYA",
            )
        ).scalars()
        assert list(audited) == ["as sent, with nominal data"]
    assert kept["format"] == "wco-dm-xml"
    consignee = next(p for p in kept["parties"] if p["role"] == "consignee")
    assert (consignee["name"], consignee["city"], consignee["postcode"]) == (
        "Packings Import Incorporated",
        "New York",
        "NY1 234",
    )
    assert (kept["items"][0]["hs_code"], kept["items"][0]["national_code"]) == ("460219", "10")
    assert kept["containers"] == [{"id": "CONU1234567", "seals": ["333"]}]
    app = create_app(seeded.node.settings, node=seeded.node)

    async def read(role: Role, url: str) -> httpx.Response:
        async with client(app, seeded.tokens[role]) as c:
            return await c.get(url)

    liaison = asyncio.run(read(Role.LIAISON_OFFICER, "/api/v1/declarations/U.7847323YIPYA/as-sent"))
    assert liaison.status_code == 200, liaison.text
    assert "Packings" not in liaison.text
    assert "GB427168118378" not in liaison.text
    assert {"role": "consignee", "country": "US"} in liaison.json()["parties"]
    page = asyncio.run(_page(seeded, app, Role.ADMINISTRATOR, "/declarations/U.7847323YIPYA"))
    assert "Packings Import Incorporated" in page
    assert "CONU1234567" in page
    hidden = asyncio.run(_page(seeded, app, Role.LIAISON_OFFICER, "/declarations/U.7847323YIPYA"))
    assert "As sent (wco-dm-xml)" in hidden
    assert "Packings" not in hidden


async def _page(seeded: Seeded, app: FastAPI, role: Role, url: str) -> str:
    opened = accounts.open_session(
        seeded.node, accounts.authenticate(seeded.node, seeded.users[role], PASSWORD)
    )
    async with client(app) as c:
        c.cookies.update({SESSION_COOKIE: opened.token})
        answer = await c.get(url)
    assert answer.status_code == 200, answer.text
    return answer.text
