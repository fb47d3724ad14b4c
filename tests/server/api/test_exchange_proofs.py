"""The log at scale, to partners: inclusion proofs over HTTP, heads witnessed on every sync."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from borderlink.exchange.auth import sign_request
from borderlink.exchange.envelope import TREE_HEAD, canonical, verify
from borderlink.exchange.identity import Partner
from borderlink.exchange.merkle_log import leaf_hash, verify_inclusion
from borderlink.services.accounts.access import Principal
from borderlink.services.cooperation.records import issue
from borderlink.services.exchange.log import held_head
from borderlink.services.exchange.sync import SyncScheduler
from tests.coop_mesh import Mesh, agree, bridge, build_mesh, connect
from tests.coop_samples import agreement, new_alert

OPS = Principal.system("test")  # acts for the node in the tests


@pytest.fixture
def mesh(tmp_path: Path, _sqlite_template: Path) -> Iterator[Mesh]:
    m = build_mesh(tmp_path, ["A", "B", "C"], template=_sqlite_template)
    connect(m, "A", "B")
    connect(m, "A", "C")
    agree(m, agreement())
    yield m
    m.close()


def _get(mesh: Mesh, caller: str, path: str) -> httpx.Response:
    request = httpx.Request("GET", f"http://node.test{path}")
    sign_request(
        mesh.identities[caller], request, recipient="A", body=b"", now=dt.datetime.now(dt.UTC)
    )
    with httpx.Client(transport=bridge(mesh.apps["A"])) as client:
        return client.send(request)


def _verified(mesh: Mesh, body: dict[str, Any]) -> None:
    a = {"A": Partner("A", "A", mesh.identities["A"].public_key, "")}
    head = verify(body["signed_tree_head"], a, typ=TREE_HEAD).payload
    assert (head["tree_size"], head["root_hash"]) == (body["tree_size"], body["root_hash"])
    for p in body["proofs"]:
        assert verify_inclusion(
            p["leaf_index"],
            body["tree_size"],
            bytes.fromhex(p["leaf_hash"]),
            [bytes.fromhex(h) for h in p["proof"]],
            bytes.fromhex(body["root_hash"]),
        )
        if p["entry"] is not None:
            assert leaf_hash(canonical(p["entry"])).hex() == p["leaf_hash"]


def test_a_partner_gets_inclusion_proofs_by_record_and_by_leaf(mesh: Mesh) -> None:
    alerts = [new_alert(n) for n in range(5)]
    for alert in alerts:
        issue(mesh.nodes["A"], OPS, alert, notify=False)
    by_record = _get(mesh, "B", f"/api/v1/exchange/proofs?record_id={alerts[3].id}")
    assert by_record.status_code == 200
    body = by_record.json()
    assert [p["entry"]["record_id"] for p in body["proofs"]] == [alerts[3].id]
    _verified(mesh, body)
    by_leaf = _get(mesh, "B", "/api/v1/exchange/proofs/leaves/0")
    assert by_leaf.status_code == 200
    _verified(mesh, by_leaf.json())
    assert _get(mesh, "B", "/api/v1/exchange/proofs/leaves/999").status_code == 404


def test_a_partner_sees_no_entry_about_another_partner(mesh: Mesh) -> None:
    alert = new_alert(0)
    issue(mesh.nodes["A"], OPS, alert, notify=False)  # released to B only (A-B agreement)
    b_view = _get(mesh, "B", f"/api/v1/exchange/proofs?record_id={alert.id}").json()
    assert {p["entry"]["peer"] for p in b_view["proofs"]} == {"B"}
    assert _get(mesh, "C", f"/api/v1/exchange/proofs?record_id={alert.id}").status_code == 404
    index = b_view["proofs"][0]["leaf_index"]
    leaf = _get(mesh, "C", f"/api/v1/exchange/proofs/leaves/{index}").json()
    assert leaf["proofs"][0]["entry"] is None  # the hash and its proof, not B's entry
    _verified(mesh, leaf)


def test_a_notice_driven_sync_witnesses_the_partner_head(mesh: Mesh) -> None:
    issue(mesh.nodes["A"], OPS, new_alert(0), notify=False)
    scheduler = SyncScheduler(mesh.nodes["B"], mesh.transport_for)
    scheduler.run("A")
    held = held_head(mesh.nodes["B"], "A")
    assert held is not None
    assert held.tree_size >= 1
    issue(mesh.nodes["A"], OPS, new_alert(1), notify=False)
    scheduler.run("A")
    grown = held_head(mesh.nodes["B"], "A")
    assert grown is not None
    assert grown.tree_size > held.tree_size  # consistent with the first, then kept
