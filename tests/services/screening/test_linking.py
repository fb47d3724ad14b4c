"""``screening link`` over the node's records: the stored parties and partners' seizure
reports linked into clusters (stored, replaced whole by the next run), analysts' judgements
kept and used by the next run, a trader's cluster read back, and who may do what."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from sqlalchemy import func, insert, select

from borderlink.errors import InvalidInput, NotFound, PermissionDenied
from borderlink.services import Node
from borderlink.services.accounts.access import Principal, Role
from borderlink.services.screening import linking
from borderlink.store.cooperation_tables import coop_records
from borderlink.store.screening_tables import linking_runs, trader_clusters
from borderlink.store.tables import audit_log, parties
from tests.screening.test_linking import synthetic

ADMIN = Principal.system("test")
ANALYST = Principal(user_id=7, username="ana", role=Role.RISK_ANALYST)
OFFICER = Principal(user_id=9, username="officer", role=Role.OFFICER, office_id="OF1")


@pytest.fixture
def stored(node: Node) -> Node:
    return seed_traders(node)


def seed_traders(node: Node) -> Node:
    """150 traders' parties (a sixth with a partner's second record), and a partner's
    seizure naming the first in another spelling."""
    raw, _ = synthetic(150, 6)
    mine = raw.filter(pl.col("record_key").str.starts_with("party:"))
    now = dt.datetime.now(dt.UTC)
    with node.transaction() as conn:
        conn.execute(
            insert(parties),
            [
                {"party_id": r["record_key"].removeprefix("party:"), "name": r["name"]}
                | {"country": r["country"]}
                for r in mine.to_dicts()
            ],
        )
        # a partner's seizure naming, in other spellings, the first and the seventh trader
        conn.execute(
            insert(coop_records).values(
                record_id="seizure--1",
                kind="seizure",
                issuer="B",
                modified=now,
                received_from="B",
                stored_at=now,
                document={
                    "parties": [
                        {"role": "importer", "name": raw["name"][1], "country": raw["country"][1]},
                        {"role": "exporter", "name": "Unrelated Name Holdings"},
                    ]
                },
            )
        )
    return node


def test_a_run_links_parties_with_partners_records_and_stores_clusters(stored: Node) -> None:
    summary = linking.link_traders(stored, ADMIN)
    assert summary.records == 152
    assert summary.clusters >= 1
    found = linking.cluster_of(stored, ANALYST, "party:T0")
    keys = [m["record_key"] for m in found.members]
    assert keys == ["partner:B:seizure--1:0", "party:T0"]
    assert found.cluster_id == "partner:B:seizure--1:0"
    assert found.links[0].joined
    alone = linking.cluster_of(stored, ANALYST, "party:T1")
    assert [m["record_key"] for m in alone.members] == ["party:T1"]
    with stored.read() as conn:
        assert conn.execute(select(func.count()).select_from(trader_clusters)).scalar() == 152
        actions = conn.execute(select(audit_log.c.action)).scalars().all()
    assert "screening.link" in actions
    again = linking.link_traders(stored, ADMIN)  # replaces, never adds up
    assert again.run_id == summary.run_id + 1
    with stored.read() as conn:
        assert conn.execute(select(func.count()).select_from(trader_clusters)).scalar() == 152
        assert conn.execute(select(func.count()).select_from(linking_runs)).scalar() == 2


def test_judgements_are_kept_and_used_by_the_next_run(stored: Node) -> None:
    linking.link_traders(stored, ADMIN)
    partner = "partner:B:seizure--1:0"
    alone = [
        key
        for key in (f"party:T{i}" for i in range(1, 40))
        if len(linking.cluster_of(stored, ANALYST, key).members) == 1
    ][:2]
    linking.judge_link(stored, ANALYST, partner, "party:T0", "different", "other registry")
    linking.judge_link(stored, ANALYST, alone[1], alone[0], "same", "same address, renamed")
    summary = linking.link_traders(stored, ADMIN)
    assert summary.judgements_used == 2
    # one confirmed pair is too few to learn m from: it joins its records, no more
    assert "skipped: m from confirmed pairs: 1, fewer than 50" in summary.trained[-1]
    assert [m["record_key"] for m in linking.cluster_of(stored, ANALYST, partner).members] == [
        partner
    ]
    same = linking.cluster_of(stored, ANALYST, alone[0])
    assert {m["record_key"] for m in same.members} == set(alone)
    # judging again replaces the judgement (natural key: the pair)
    linking.judge_link(stored, ANALYST, "party:T0", partner, "same", "checked again: same")
    page = linking.list_links(stored, ANALYST)
    judged = [link for link in page.items if link.left_key == partner]
    assert [link.judgement for link in judged] == ["same"]
    assert linking.list_links(stored, ANALYST, undecided=True).total == page.total - 1


def test_bad_judgements_and_who_may(stored: Node) -> None:
    with pytest.raises(PermissionDenied):
        linking.link_traders(stored, OFFICER)
    linking.link_traders(stored, ADMIN)
    with pytest.raises(PermissionDenied):
        linking.judge_link(stored, OFFICER, "party:T0", "party:T1", "same", "x")
    with pytest.raises(NotFound) as missing:
        linking.judge_link(stored, ANALYST, "party:T0", "party:NOPE", "same", "x")
    assert missing.value.field == "right"
    with pytest.raises(InvalidInput):
        linking.judge_link(stored, ANALYST, "party:T0", "party:T0", "same", "x")
    with pytest.raises(InvalidInput):
        linking.judge_link(stored, ANALYST, "party:T0", "party:T1", "same", "  ")
    with pytest.raises(InvalidInput):
        linking.link_traders(stored, ADMIN, threshold=0)
    with pytest.raises(PermissionDenied):
        linking.list_links(stored, OFFICER)


def test_the_network_around_a_partners_seizure_reaches_its_linked_trader(stored: Node) -> None:
    from borderlink.services.screening import network

    linking.link_traders(stored, ADMIN)
    around = network.network_around(stored, ADMIN, "seizure:seizure--1")
    keys = {n.key for n in around.nodes}
    assert {"seizure:seizure--1", "party:T0"} <= keys
    assert any(e.kind == "seized" for e in around.edges)
    with pytest.raises(NotFound):
        network.network_around(stored, ADMIN, "seizure:nothing")
    with pytest.raises(PermissionDenied):
        network.network_around(
            stored, Principal(user_id=3, username="li", role=Role.LIAISON_OFFICER), "party:T0"
        )
