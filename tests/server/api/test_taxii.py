"""The TAXII 2.1 router in-process: signed node-to-node auth, collections, paging, manifest."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from borderlink.exchange.auth import sign_request
from borderlink.exchange.client import TAXII_MEDIA, inbox_collection, outbox_collection
from borderlink.services.accounts.access import Principal
from borderlink.services.cooperation.records import issue
from borderlink.services.exchange.sync import sync_partner
from tests.coop_mesh import Mesh, agree, bridge, build_mesh, connect
from tests.coop_samples import agreement, new_alert, stix_errors

OPS = Principal.system("test")  # acts for the node in the tests

ROOT = "/taxii2/borderlink"


@pytest.fixture
def mesh(tmp_path: Path, _sqlite_template: Path) -> Iterator[Mesh]:
    m = build_mesh(tmp_path, ["A", "B", "C"], template=_sqlite_template)
    connect(m, "A", "B")
    connect(m, "A", "C")
    agree(m, agreement())
    for n in range(7):
        issue(m.nodes["A"], OPS, new_alert(n), notify=False)
    yield m
    m.close()


def _raw(headers: dict[str, str | bytes]) -> list[tuple[bytes, bytes]]:
    """Header values as bytes, so a test can send bytes that are not text (httpx: str is ASCII)."""
    return [
        (k.encode(), v if isinstance(v, bytes) else v.encode("ascii")) for k, v in headers.items()
    ]


def _signed(
    mesh: Mesh, caller: str, target: str, method: str, path: str, body: bytes = b""
) -> httpx.Request:
    request = httpx.Request(
        method, f"http://node.test{path}", headers={"Accept": TAXII_MEDIA}, content=body or None
    )
    sign_request(
        mesh.identities[caller], request, recipient=target, body=body, now=dt.datetime.now(dt.UTC)
    )
    return request


def _send(mesh: Mesh, target: str, request: httpx.Request) -> httpx.Response:
    with httpx.Client(transport=bridge(mesh.apps[target]), base_url="http://node.test") as client:
        return client.send(request)


def _get(
    mesh: Mesh, caller: str | None, target: str, path: str, **headers: str | bytes
) -> httpx.Response:
    if caller is not None:
        return _send(mesh, target, _signed(mesh, caller, target, "GET", path))
    with httpx.Client(transport=bridge(mesh.apps[target]), base_url="http://node.test") as client:
        request = client.build_request(
            "GET", path, headers=_raw({"Accept": TAXII_MEDIA, **headers})
        )
        return client.send(request)


def test_unsigned_or_badly_signed_calls_are_refused(mesh: Mesh) -> None:
    assert _get(mesh, None, "A", "/taxii2/").status_code == 403
    assert _get(mesh, None, "A", "/taxii2/", Authorization="Bearer x").status_code == 403
    signed = _get(mesh, "B", "A", "/taxii2/")
    assert signed.status_code == 200
    assert signed.headers["content-type"].startswith("application/taxii+json")
    # A signature for another path does not open this one.
    stolen = _signed(mesh, "B", "A", "GET", "/taxii2/")
    stolen.url = httpx.URL(f"http://node.test{ROOT}/collections/")
    refused = _send(mesh, "A", stolen)
    assert refused.status_code == 422
    assert refused.json()["error"] == "integrity_failure"
    old = _signed(mesh, "B", "A", "GET", "/taxii2/")
    sign_request(
        mesh.identities["B"],
        old,
        recipient="A",
        body=b"",
        now=dt.datetime.now(dt.UTC) - dt.timedelta(hours=1),
    )
    assert _send(mesh, "A", old).status_code == 422
    garbage = 'borderlink=("@method");created=1;keyid="\u00e9"'.encode()
    bad = _get(mesh, None, "A", "/taxii2/", **{"Signature-Input": garbage, "Signature": b"x"})
    assert bad.status_code == 422


def test_each_partner_sees_only_its_own_collections(mesh: Mesh) -> None:
    listed = _get(mesh, "B", "A", f"{ROOT}/collections/").json()["collections"]
    assert {c["id"] for c in listed} == {outbox_collection("A", "B"), inbox_collection("A", "B")}
    theirs = outbox_collection("A", "B")
    assert _get(mesh, "C", "A", f"{ROOT}/collections/{theirs}/objects/").status_code == 404
    mine = _get(mesh, "C", "A", f"{ROOT}/collections/{outbox_collection('A', 'C')}/objects/")
    assert mine.json() == {"more": False, "objects": []}  # A-C has no agreement in force


def test_objects_page_with_next_and_manifest(mesh: Mesh) -> None:
    base = f"{ROOT}/collections/{outbox_collection('A', 'B')}"
    first = _get(mesh, "B", "A", f"{base}/objects/?limit=3").json()
    assert first["more"] is True
    assert len(first["objects"]) == len(first["x_borderlink_envelopes"]) == 3
    seen = [o["name"] for o in first["objects"]]
    nxt = first["next"]
    while True:
        page = _get(mesh, "B", "A", f"{base}/objects/?limit=3&next={nxt}").json()
        seen += [o["name"] for o in page["objects"]]
        if not page["more"]:
            break
        nxt = page["next"]
    assert seen == [f"alert {n}" for n in range(7)]
    manifest = _get(mesh, "B", "A", f"{base}/manifest/?limit=10")
    entries = manifest.json()["objects"]
    assert len(entries) == 7
    assert manifest.headers["X-TAXII-Date-Added-First"] == entries[0]["date_added"]
    later = _get(mesh, "B", "A", f"{base}/objects/?added_after={entries[-1]['date_added']}")
    assert later.json()["objects"] == []


def test_served_objects_validate_as_stix(mesh: Mesh) -> None:
    base = f"{ROOT}/collections/{outbox_collection('A', 'B')}"
    objects: list[dict[str, Any]] = _get(mesh, "B", "A", f"{base}/objects/").json()["objects"]
    assert stix_errors(objects) == []


def test_inbox_collection_shows_what_b_accepted(mesh: Mesh) -> None:
    sync_partner(mesh.nodes["B"], "A", transport=bridge(mesh.apps["A"]))
    held = _get(mesh, "A", "B", f"{ROOT}/collections/{inbox_collection('B', 'A')}/objects/")
    assert len(held.json()["objects"]) == 7


def test_tree_head_and_consistency_endpoints(mesh: Mesh) -> None:
    head = _get(mesh, "B", "A", "/api/v1/exchange/tree-head").json()
    assert head["tree_size"] == 7
    proof = _get(mesh, "B", "A", "/api/v1/exchange/consistency?first=3&second=7").json()
    assert len(proof["proof"]) >= 1
    bad = _get(mesh, "B", "A", "/api/v1/exchange/consistency?first=9&second=7")
    assert bad.status_code == 400


def test_single_object_and_its_versions(mesh: Mesh) -> None:
    base = f"{ROOT}/collections/{outbox_collection('A', 'B')}"
    first = _get(mesh, "B", "A", f"{base}/objects/?limit=1").json()["objects"][0]
    one = _get(mesh, "B", "A", f"{base}/objects/{first['id']}/").json()
    assert [o["id"] for o in one["objects"]] == [first["id"]]
    assert len(one["x_borderlink_envelopes"]) == 1
    versions = _get(mesh, "B", "A", f"{base}/objects/{first['id']}/versions/").json()
    assert versions["versions"] == [first["modified"]]
    missing = _get(mesh, "B", "A", f"{base}/objects/x-borderlink-alert--nope/")
    assert missing.status_code == 404
