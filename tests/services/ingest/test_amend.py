"""Amendments and cancellations: versions kept, changes field by field, from the API, the CLI
and WCO DM additional messages; a resent declaration points at the amendment path."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from borderlink import risk
from borderlink.cli import app as cli_app
from borderlink.demo import wco_dm as synthetic
from borderlink.errors import Conflict, InvalidInput
from borderlink.server import create_app
from borderlink.services import Node
from borderlink.services.accounts.access import Principal, Role
from borderlink.services.ingest.amend import AmendmentIn
from borderlink.services.ingest.files import ingest_file
from borderlink.services.ingest.rejects import retry_rejects
from borderlink.services.ingest.versions import amend_declaration, history
from borderlink.services.risk import models, targeting
from borderlink.store.risk_tables import scores
from borderlink.store.tables import (
    audit_log,
    declaration_versions,
    declarations,
    goods_items,
    rejects,
)
from tests.factories import good
from tests.risk import synthetic as risk_history
from tests.surfaces import client, seed, seed_scores

OPS = Principal.system("test")
WriteCsv = Callable[..., Path]


def _stored(node: Node, declaration_id: str) -> tuple[object, list[object]]:
    with node.read() as conn:
        head = conn.execute(
            select(declarations).where(declarations.c.declaration_id == declaration_id)
        ).one()
        items = conn.execute(
            select(goods_items)
            .where(goods_items.c.declaration_id == declaration_id)
            .order_by(goods_items.c.item_no)
        ).all()
    return head, list(items)


def test_an_amendment_changes_the_declaration_and_keeps_the_previous_version(
    node: Node, write_csv: WriteCsv
) -> None:
    ingest_file(node, OPS, write_csv([good(), good(item_no="2", hs_code="940360")]))
    change = AmendmentIn(
        changes={"office_id": "OF2"},
        items=[{"item_no": 2, "hs_code": "940161", "value": 1500}],
        reason="wrong office and code",
    )
    done = amend_declaration(node, OPS, "D1", change)
    assert done.version == 2
    head, items = _stored(node, "D1")
    assert head.office_id == "OF2"  # type: ignore[attr-defined]
    assert [(i.item_no, i.hs_code, i.value) for i in items] == [  # type: ignore[attr-defined]
        (1, "851713", 1000.0),
        (2, "940161", 1500.0),
    ]
    (version,) = history(node, OPS, "D1")
    assert (version.version, version.kind, version.actor, version.reason) == (
        2,
        "amend",
        "test",
        "wrong office and code",
    )
    assert sorted((c.field, c.item_no, c.before, c.after) for c in version.changes) == [
        ("hs_code", 2, "940360", "940161"),
        ("office_id", None, "OF1", "OF2"),
        ("value", 2, "1000", "1500"),
    ]
    with node.read() as conn:
        kept = conn.execute(select(declaration_versions.c.previous)).scalar_one()
    assert kept["header"]["office_id"] == "OF1"
    assert [i["hs_code"] for i in kept["items"]] == ["851713", "940360"]
    assert amend_declaration(node, OPS, "D1", change).version is None  # the same twice: no change


def test_an_invalid_amendment_is_refused_naming_the_field_and_changes_nothing(
    node: Node, write_csv: WriteCsv
) -> None:
    ingest_file(node, OPS, write_csv([good()]))
    with pytest.raises(InvalidInput, match="origin_country") as refused:
        amend_declaration(
            node, OPS, "D1", AmendmentIn(items=[{"item_no": 1, "origin_country": "QQ"}])
        )
    assert refused.value.field == "origin_country"
    with pytest.raises(InvalidInput, match="row_hash cannot be amended"):
        amend_declaration(node, OPS, "D1", AmendmentIn(changes={"row_hash": "x"}))
    _, items = _stored(node, "D1")
    assert items[0].origin_country == "CN"  # type: ignore[attr-defined]
    assert history(node, OPS, "D1") == []


def test_a_cancelled_declaration_is_kept_out_of_the_queue_and_no_longer_amended(
    node: Node, write_csv: WriteCsv
) -> None:
    ingest_file(node, OPS, write_csv([good(illicit=""), good(declaration_id="D2", illicit="")]))
    seed_scores(node, {"D1": "red", "D2": "red"})
    assert {e.declaration_id for e in targeting.queue(node, OPS).items} == {"D1", "D2"}
    assert amend_declaration(node, OPS, "D1", AmendmentIn(cancel=True, reason="dup")).version == 2
    assert [e.declaration_id for e in targeting.queue(node, OPS).items] == ["D2"]
    head, _ = _stored(node, "D1")
    assert head.status == "cancelled"  # type: ignore[attr-defined]
    assert amend_declaration(node, OPS, "D1", AmendmentIn(cancel=True)).version is None
    with pytest.raises(Conflict):
        amend_declaration(node, OPS, "D1", AmendmentIn(changes={"office_id": "OF9"}))


def test_a_resent_declaration_with_other_values_points_at_the_amendment_path(
    node: Node, write_csv: WriteCsv
) -> None:
    ingest_file(node, OPS, write_csv([good()]))
    summary = ingest_file(node, OPS, write_csv([good(value="2000")]))
    assert summary.errors == {"conflicting_duplicate": 1}
    with node.read() as conn:
        issues = conn.execute(select(rejects.c.issues)).scalar_one()
    assert "POST /api/v1/declarations/D1/amendments" in issues[0]["message"]


def _additional(kind: str, mrn: str, body: str = "") -> str:
    return (
        f'<md:MetaData xmlns:md="{synthetic.NS_MD}"><Declaration xmlns="{synthetic.NS_DEC}">'
        f"<FunctionCode>13</FunctionCode><FunctionalReferenceID>A-{kind}</FunctionalReferenceID>"
        f"<ID>{mrn}</ID><TypeCode>{kind}</TypeCode><Amendment><ChangeReasonCode>1"
        f"</ChangeReasonCode></Amendment>{body}</Declaration></md:MetaData>"
    )


def test_wco_additional_messages_amend_and_cancel_by_id(node: Node, tmp_path: Path) -> None:
    original = synthetic.message(1, items=2).replace(
        "<FunctionalReferenceID>SYN-00000001</FunctionalReferenceID>",
        "<FunctionalReferenceID>LRN1</FunctionalReferenceID><ID>26GBMRN000001</ID>",
    )
    (tmp_path / "a.xml").write_text(original, encoding="utf-8")
    assert ingest_file(node, OPS, tmp_path / "a.xml", format="wco-dm-xml").accepted == 2
    item = (
        "<GoodsShipment><GovernmentAgencyGoodsItem><SequenceNumeric>2</SequenceNumeric>"
        "<Origin><CountryCode>VN</CountryCode></Origin></GovernmentAgencyGoodsItem></GoodsShipment>"
    )
    (tmp_path / "b.xml").write_text(_additional("COR", "26GBMRN000001", item), encoding="utf-8")
    summary = ingest_file(node, OPS, tmp_path / "b.xml", format="wco-dm-xml")
    assert (summary.rows, summary.accepted, summary.rejected) == (1, 1, 0)
    _, items = _stored(node, "26GBMRN000001")
    assert [i.origin_country for i in items][1] == "VN"  # type: ignore[attr-defined]
    (version,) = history(node, OPS, "26GBMRN000001")
    assert [(c.field, c.item_no, c.after) for c in version.changes] == [("origin_country", 2, "VN")]
    assert "b.xml" in (version.source or "")
    (tmp_path / "c.xml").write_text(_additional("INV", "26GBMRN000001"), encoding="utf-8")
    assert ingest_file(node, OPS, tmp_path / "c.xml", format="wco-dm-xml").accepted == 1
    head, _ = _stored(node, "26GBMRN000001")
    assert head.status == "cancelled"  # type: ignore[attr-defined]
    (tmp_path / "d.xml").write_text(_additional("COR", "26GBNOTHERE", item), encoding="utf-8")
    unknown = ingest_file(node, OPS, tmp_path / "d.xml", format="wco-dm-xml")
    assert unknown.errors == {"unknown_declaration": 1}


def _api(app: object, token: str, method: str, url: str, body: object = None) -> httpx.Response:
    async def go() -> httpx.Response:
        async with client(app, token) as c:  # type: ignore[arg-type]
            return await c.request(method, url, json=body)

    return asyncio.run(go())


def test_the_api_amends_and_shows_the_history_redacted_as_the_declaration(
    node: Node, write_csv: WriteCsv
) -> None:
    seeded = seed(node)
    app = create_app(seeded.node.settings, node=seeded.node)
    ingest_file(node, OPS, write_csv([good(declaration_id="AM1")]))
    admin = seeded.tokens[Role.ADMINISTRATOR]
    body = {"changes": {"importer_id": "IMP2"}, "reason": "importer corrected"}
    done = _api(app, admin, "POST", "/api/v1/declarations/AM1/amendments", body)
    assert done.status_code == 200, done.text
    assert done.json()["version"] == 2
    bad = _api(
        app, admin, "POST", "/api/v1/declarations/AM1/amendments", {"changes": {"hs_code": 1}}
    )
    assert bad.status_code == 400
    officer = _api(
        app, seeded.tokens[Role.OFFICER], "POST", "/api/v1/declarations/AM1/amendments", body
    )
    assert officer.status_code == 403
    shown = _api(app, admin, "GET", "/api/v1/declarations/AM1/history").json()
    assert shown[0]["changes"] == [
        {"field": "importer_id", "item_no": None, "before": "IMP1", "after": "IMP2"}
    ]
    liaison = _api(
        app, seeded.tokens[Role.LIAISON_OFFICER], "GET", "/api/v1/declarations/AM1/history"
    )
    assert liaison.status_code == 200, liaison.text
    assert liaison.json()[0]["changes"][0]["after"] == "[redacted]"
    assert "IMP2" not in liaison.text


def test_the_cli_amends(tmp_path: Path, write_csv: WriteCsv) -> None:
    db = f"sqlite:///{tmp_path / 'node.db'}"
    runner = CliRunner()
    assert runner.invoke(cli_app, ["ingest", str(write_csv([good()])), "--db", db]).exit_code == 0
    args = [
        "amend",
        "D1",
        "--set",
        "office_id=OF3",
        "--item",
        "1:quantity=12",
        "--json",
        "--db",
        db,
    ]
    done = runner.invoke(cli_app, args)
    assert done.exit_code == 0, done.output
    assert json.loads(done.stdout.strip().splitlines()[-1])["version"] == 2
    refused = runner.invoke(cli_app, ["amend", "D1", "--set", "nonsense", "--db", db])
    assert refused.exit_code != 0


def test_an_amended_declaration_is_scored_again(node: Node) -> None:
    store_history = risk_history.declarations(1500, seed=11, start=dt.date(2020, 1, 1), days=120)
    risk_history.store(node.engine, store_history)
    models.train(node, OPS, config=risk.ModelConfig(rounds=30, threads=1, validation_months=1))
    with node.read() as conn:
        first = conn.execute(select(goods_items.c.declaration_id).limit(1)).scalar_one()
        before = conn.execute(
            select(scores.c.scored_at).where(scores.c.declaration_id == first)
        ).all()
    done = amend_declaration(node, OPS, first, AmendmentIn(items=[{"item_no": 1, "value": 1}]))
    assert done.version == 2
    assert done.rescored is not None
    assert done.rescored["declaration_id"] == first
    with node.read() as conn:
        after = conn.execute(
            select(scores.c.scored_at).where(scores.c.declaration_id == first)
        ).all()
    assert len(after) == len(before) + 1


def test_an_amendment_that_came_first_applies_on_retry(node: Node, tmp_path: Path) -> None:
    item = (
        "<GoodsShipment><GovernmentAgencyGoodsItem><SequenceNumeric>1</SequenceNumeric>"
        "<Origin><CountryCode>IN</CountryCode></Origin></GovernmentAgencyGoodsItem></GoodsShipment>"
    )
    (tmp_path / "early.xml").write_text(_additional("COR", "26GBMRN2", item), encoding="utf-8")
    early = ingest_file(node, OPS, tmp_path / "early.xml", format="wco-dm-xml")
    assert early.errors == {"unknown_declaration": 1}
    original = synthetic.message(2, items=1, reference="LRN2").replace(
        "<FunctionalReferenceID>LRN2</FunctionalReferenceID>",
        "<FunctionalReferenceID>LRN2</FunctionalReferenceID><ID>26GBMRN2</ID>",
    )
    (tmp_path / "original.xml").write_text(original, encoding="utf-8")
    assert ingest_file(node, OPS, tmp_path / "original.xml", format="wco-dm-xml").accepted == 1
    retried = retry_rejects(node, OPS)
    assert retried.resolved == 1, retried
    _, items = _stored(node, "26GBMRN2")
    assert items[0].origin_country == "IN"  # type: ignore[attr-defined]


def test_a_history_that_shows_party_data_is_audited(node: Node, write_csv: WriteCsv) -> None:
    ingest_file(node, OPS, write_csv([good(declaration_id="AU1")]))
    amend_declaration(node, OPS, "AU1", AmendmentIn(changes={"importer_id": "IMP2"}, reason="r"))
    liaison = Principal(user_id=4, username="liaison", role=Role.LIAISON_OFFICER)

    def reads() -> list[tuple[str, str | None]]:
        with node.read() as conn:
            found = conn.execute(
                select(audit_log.c.actor, audit_log.c.reason).where(
                    audit_log.c.action == "declaration.read", audit_log.c.object_id == "AU1"
                )
            ).all()
        return [(r.actor, r.reason) for r in found]

    history(node, liaison, "AU1")  # redacted: nothing nominal shown, nothing to audit
    assert reads() == []
    history(node, OPS, "AU1")
    assert reads() == [("test", "history, with nominal data")]
