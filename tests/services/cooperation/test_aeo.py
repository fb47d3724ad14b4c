"""Trusted traders over the store (SQLite and PostgreSQL): MRAs and mappings kept idempotently,
and AEO benefits changing channels as the MRA says when declarations are scored."""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl
import pytest
from sqlalchemy import func, select

from borderlink import risk
from borderlink.errors import InvalidInput, NotFound, PermissionDenied
from borderlink.exchange.stix import to_stix
from borderlink.model.cooperation import AeoStatus
from borderlink.services import Node
from borderlink.services.accounts.access import Principal, Role
from borderlink.services.cooperation import aeo
from borderlink.services.cooperation.partners import init_node
from borderlink.services.cooperation.records import issue_document
from borderlink.services.risk import models
from borderlink.services.risk import score as scoring
from borderlink.store.cooperation_tables import coop_records, partners
from borderlink.store.tables import audit_log
from tests.risk import synthetic
from tests.risk.synthetic import store

TESTER = Principal.system("tester")
SMALL = risk.ModelConfig(rounds=30, threads=1, validation_months=1)
ATLANTIS = "customs-of-atlantis"


def national(node: Node, **benefits: Any) -> dict[str, Any]:
    return {
        "mra_id": "NATIONAL",
        "title": "national AEO programme",
        "partner": node.settings.node_id,
        "programmes": ["AEOC", "AEOF"],
        "roles": ["importer"],
        "benefits": benefits or {"risk_weight": 0.01},
    }


def audits(node: Node, action: str) -> int:
    with node.engine.connect() as conn:
        query = select(func.count()).where(audit_log.c.action == action)
        return int(conn.execute(query).scalar_one())


def test_mras_are_kept_by_id_and_their_partner_must_be_known(node: Node) -> None:
    aeo.put_mra(node, TESTER, national(node))
    aeo.put_mra(node, TESTER, national(node))  # the same terms: nothing written
    assert audits(node, "mra.put") == 1
    aeo.put_mra(node, TESTER, national(node, risk_weight=0.5))
    assert aeo.get_mra(node, TESTER, "NATIONAL").benefits.risk_weight == 0.5
    assert [m.mra_id for m in aeo.list_mras(node, TESTER)] == ["NATIONAL"]
    with pytest.raises(InvalidInput) as err:
        aeo.put_mra(node, TESTER, {**national(node), "mra_id": "AB", "partner": ATLANTIS})
    assert err.value.field == "partner"
    with pytest.raises(PermissionDenied):
        aeo.put_mra(node, Principal(9, "o", Role.OFFICER, office_id="X"), national(node))


def test_mappings_are_idempotent_and_a_bad_row_refuses_the_load(node: Node) -> None:
    aeo.put_mra(node, TESTER, national(node))
    assert aeo.map_traders(node, TESTER, "NATIONAL", [("at-1", "BD 1"), ("AT1", "BD1")]) == 1
    assert aeo.map_traders(node, TESTER, "NATIONAL", [("AT1", "BD1"), ("AT2", "BD2")]) == 2
    with pytest.raises(InvalidInput) as err:
        aeo.map_traders(node, TESTER, "NATIONAL", [("AT3", "BD3"), ("AT4", " ")])
    assert err.value.field == "local_trader_id"
    assert "row 2" in err.value.detail
    assert aeo.map_traders(node, TESTER, "NATIONAL", []) == 2  # nothing of the refused load
    with pytest.raises(NotFound):
        aeo.map_traders(node, TESTER, "NO-SUCH", [("A", "B")])


def _received_status(node: Node, trader: str, status: str = "granted") -> None:
    now = dt.datetime.now(dt.UTC)
    record = AeoStatus(
        id="identity--00000000-0000-4000-8000-0000000000aa",
        issuer=ATLANTIS,
        created=now,
        modified=now,
        trader_id=trader,
        country="AT",
        programme="AEOS",
        status=status,
        valid_from=dt.date(2020, 1, 1),
    )
    row = {
        "record_id": record.id,
        "kind": "aeo-status",
        "issuer": ATLANTIS,
        "modified": now,
        "document": to_stix(record),
        "received_from": ATLANTIS,
        "stored_at": now,
    }
    with node.engine.begin() as conn:
        conn.execute(coop_records.delete().where(coop_records.c.record_id == record.id))
        conn.execute(coop_records.insert().values(**row))


def test_a_partners_status_counts_through_the_mapping_until_suspended(node: Node) -> None:
    with node.engine.begin() as conn:
        conn.execute(
            partners.insert().values(
                partner_id=ATLANTIS,
                name="Atlantis",
                public_key="k" * 43,
                base_url="http://127.0.0.1:1",
                added_at=dt.datetime.now(dt.UTC),
            )
        )
    terms = {**national(node), "mra_id": "AB", "partner": ATLANTIS, "programmes": ["AEOS"]}
    aeo.put_mra(node, TESTER, terms)
    _received_status(node, "AT-777")
    on = dt.date(2020, 6, 1)
    assert aeo.trusted_in_force(node, on) == []  # not mapped yet
    aeo.map_traders(node, TESTER, "AB", [("AT777", "IMP0001")])
    assert [t.party_id for t in aeo.trusted_in_force(node, on)] == ["IMP0001"]
    _received_status(node, "AT-777", status="suspended")
    assert aeo.trusted_in_force(node, on) == []


@pytest.fixture
def trained(node: Node) -> models.ModelInfo:
    history = synthetic.declarations(1500, seed=11, start=dt.date(2020, 1, 1), days=120)
    store(node.engine, history)
    return models.train(node, TESTER, config=SMALL)


def _grant(node: Node, trader: str, programme: str) -> None:
    """This node's own programme grants ``trader`` AEO status (issued as any record is)."""
    init_node(node, TESTER)
    document = {
        "trader_id": trader,
        "country": "XX",
        "programme": programme,
        "status": "granted",
        "valid_from": "2020-01-01",
    }
    issue_document(node, TESTER, "aeo-status", document)


def _channels(found: dict[str, dict[str, Any]]) -> dict[str, str]:
    return {d: s["channel"] for d, s in found.items()}


def test_aeo_benefits_change_channels_as_the_mra_says(
    node: Node, trained: models.ModelInfo
) -> None:
    new = synthetic.declarations(400, seed=13, start=dt.date(2020, 5, 4), days=2)
    store(node.engine, new, with_outcomes=False)
    ids = new["declaration_id"].to_list()
    scoring.score_many(node, TESTER, ids, route=False)  # stored: the cut-offs come from these
    before = scoring.score_many(node, TESTER, ids, route=False)
    held = {d for d, s in before.items() if s["channel"] != "green" and s["selection"] == "risk"}
    by_importer = new.filter(pl.col("declaration_id").is_in(list(held)))["importer_id"]
    trader = by_importer.value_counts(sort=True)["importer_id"][0]
    theirs = set(new.filter(pl.col("importer_id") == trader)["declaration_id"].to_list())
    aeo.put_mra(node, TESTER, national(node, risk_weight=0.01, priority_inspection=True))
    _grant(node, trader, "AEOF")
    after = scoring.score_many(node, TESTER, ids, route=False)
    assert theirs & held  # the trader had declarations held by risk before
    for declaration_id in theirs & held:
        assert after[declaration_id]["channel"] == "green", declaration_id
        texts = [r["text"] for r in after[declaration_id]["reasons"]]
        assert "AEO under the national AEO programme: risk lowered" in texts
        assert after[declaration_id]["risk"] == pytest.approx(before[declaration_id]["risk"] * 0.01)
    others = {d: c for d, c in _channels(after).items() if d not in theirs}
    assert others == {d: c for d, c in _channels(before).items() if d not in theirs}


def test_under_quotas_capacity_reserves_green_for_aeos(
    node: Node, trained: models.ModelInfo
) -> None:
    new = synthetic.declarations(400, seed=13, start=dt.date(2020, 5, 4), days=1)
    store(node.engine, new, with_outcomes=False)
    trader = new["importer_id"].value_counts(sort=True)["importer_id"][0]
    aeo.put_mra(node, TESTER, national(node, risk_weight=0.01))
    _grant(node, trader, "AEOC")
    summary = scoring.score_batch(node, TESTER, since=dt.date(2020, 5, 1), seed=1)
    policy = scoring.capacity(node)
    assert summary.channels["red"] + summary.channels["yellow"] >= int(
        400 * (policy.red_share + policy.yellow_share)
    )  # the quotas hold: what AEOs free goes to others
    from borderlink.store.risk_tables import scores

    with node.engine.connect() as conn:
        stored = {r.declaration_id: r for r in conn.execute(select(scores))}
    theirs = new.filter(pl.col("importer_id") == trader)["declaration_id"].to_list()
    assert all(
        stored[d].channel == "green" for d in theirs if stored[d].selection in ("risk", "none")
    )
    assert any(r["source"] == "aeo" for d in theirs for r in stored[d].reasons or [])
