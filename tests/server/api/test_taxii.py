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
from tests.coop_samples import agreement, new_alert, parse_strictly, stix_errors

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
    encoded = path.replace("[", "%5B").replace("]", "%5D")  # as clients send match[...]
    request = httpx.Request(
        method, f"http://node.test{encoded}", headers={"Accept": TAXII_MEDIA}, content=body or None
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
    anonymous = _get(mesh, None, "A", "/taxii2/")
    assert anonymous.status_code == 401  # no credentials at all
    assert anonymous.headers["content-type"] == TAXII_MEDIA
    assert anonymous.json()["http_status"] == "401"
    assert _get(mesh, None, "A", "/taxii2/", Authorization="Bearer x").status_code == 403
    signed = _get(mesh, "B", "A", "/taxii2/")
    assert signed.status_code == 200
    assert signed.headers["content-type"].startswith("application/taxii+json")
    # A signature for another path does not open this one.
    stolen = _signed(mesh, "B", "A", "GET", "/taxii2/")
    stolen.url = httpx.URL(f"http://node.test{ROOT}/collections/")
    refused = _send(mesh, "A", stolen)
    assert refused.status_code == 422
    assert refused.json()["error_code"] == "integrity_failure"
    assert set(refused.json()) == {"title", "description", "error_code", "http_status"}
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
    mine = f"{ROOT}/collections/{outbox_collection('A', 'C')}/objects/"
    records = _get(mesh, "C", "A", f"{mine}?x_borderlink_view=records")
    body = records.json()  # A-C has no agreement in force: nothing, with the page's signature
    assert (body["more"], body["objects"], sorted(body)) == (
        False,
        [],
        ["more", "objects", "x_borderlink_page"],
    )
    served = _get(mesh, "C", "A", mine).json()["objects"]
    assert {o["type"] for o in served} == {"identity", "extension-definition", "marking-definition"}


def _all(mesh: Mesh, path: str, limit: int) -> tuple[list[dict[str, Any]], list[str]]:
    """Every object of a collection paged by ``next``, and each page's X-TAXII-Date-Added-Last."""
    objects: list[dict[str, Any]] = []
    lasts: list[str] = []
    query = f"limit={limit}"
    while True:
        response = _get(mesh, "B", "A", f"{path}?{query}")
        page = response.json()
        assert len(page["objects"]) <= limit
        objects += page["objects"]
        lasts.append(response.headers.get("X-TAXII-Date-Added-Last", ""))
        if not page["more"]:
            return objects, lasts
        query = f"limit={limit}&next={page['next']}"


def _by_added_after(mesh: Mesh, path: str, limit: int) -> list[dict[str, Any]]:
    """Every object of a collection paged as many clients do: added_after = the last date_added."""
    objects: list[dict[str, Any]] = []
    query = f"limit={limit}"
    while True:
        response = _get(mesh, "B", "A", f"{path}?{query}")
        objects += response.json()["objects"]
        if not response.json()["objects"]:
            return objects
        query = f"limit={limit}&added_after={response.headers['X-TAXII-Date-Added-Last']}"


def test_paging_by_next_or_by_date_added_misses_nothing(mesh: Mesh) -> None:
    # Seizures issued together share their time; each becomes a report and its parts.
    from borderlink.services.cooperation.records import issue_all
    from tests.coop_samples import new_seizure

    issue_all(mesh.nodes["A"], OPS, [new_seizure() for _ in range(4)], notify=False)
    base = f"{ROOT}/collections/{outbox_collection('A', 'B')}/objects/"
    everything = _get(mesh, "B", "A", f"{base}?limit=1000").json()["objects"]
    manifest = _get(mesh, "B", "A", f"{base.replace('objects', 'manifest')}?limit=1000").json()
    added = [e["date_added"] for e in manifest["objects"]]
    assert len(set(added)) == len(added) == len(everything)  # unique, one per object
    assert added == sorted(added)
    assert sum(o["type"] == "report" for o in everything) == 4
    ids = [o["id"] for o in everything]
    for limit in (1, 2, 3):
        assert [o["id"] for o in _all(mesh, base, limit)[0]] == ids
        assert [o["id"] for o in _by_added_after(mesh, base, limit)] == ids


def test_the_records_view_pages_by_release_with_signed_envelopes(mesh: Mesh) -> None:
    base = f"{ROOT}/collections/{outbox_collection('A', 'B')}/objects/?x_borderlink_view=records"
    first = _get(mesh, "B", "A", f"{base}&limit=3").json()
    assert first["more"] is True
    assert len(first["objects"]) == len(first["x_borderlink_envelopes"]) == 3
    seen = [o["name"] for o in first["objects"]]
    nxt = first["next"]
    while True:
        page = _get(mesh, "B", "A", f"{base}&limit=3&next={nxt}").json()
        seen += [o["name"] for o in page["objects"]]
        if not page["more"]:
            break
        nxt = page["next"]
    assert seen == [f"alert {n}" for n in range(7)]


def test_manifest_and_added_after(mesh: Mesh) -> None:
    base = f"{ROOT}/collections/{outbox_collection('A', 'B')}"
    manifest = _get(mesh, "B", "A", f"{base}/manifest/?limit=100&match[type]=indicator")
    entries = manifest.json()["objects"]
    assert len(entries) == 7
    assert manifest.headers["X-TAXII-Date-Added-First"] == entries[0]["date_added"]
    later = _get(mesh, "B", "A", f"{base}/objects/?added_after={entries[-1]['date_added']}")
    assert later.json()["objects"] == []
    assert "X-TAXII-Date-Added-Last" not in later.headers


def test_match_filters(mesh: Mesh) -> None:
    base = f"{ROOT}/collections/{outbox_collection('A', 'B')}/objects/"
    alerts = _get(mesh, "B", "A", f"{base}?match[type]=indicator").json()["objects"]
    assert [o["name"] for o in alerts] == [f"alert {n}" for n in range(7)]
    one = alerts[2]
    # A correction: a later version of alert 2.
    from borderlink.services.cooperation.records import get_record

    record = get_record(mesh.nodes["A"], one["id"])
    later = record.modified + dt.timedelta(seconds=1)
    issue(mesh.nodes["A"], OPS, record.model_copy(update={"title": "fixed", "modified": later}))

    def names(query: str) -> list[str]:
        found = _get(mesh, "B", "A", f"{base}?match[id]={one['id']}&{query}").json()["objects"]
        return [o["name"] for o in found]

    assert names("") == ["fixed"]  # the latest version only, by default
    assert names("match[version]=last") == ["fixed"]
    assert names("match[version]=first") == ["alert 2"]
    assert names("match[version]=all") == ["alert 2", "fixed"]
    assert names(f"match[version]={one['modified']}") == ["alert 2"]
    assert names("match[version]=first,last") == ["alert 2", "fixed"]
    assert names("match[spec_version]=2.0") == []
    assert names("match[spec_version]=2.0,2.1") == ["fixed"]
    several = f"match[id]={alerts[0]['id']},{alerts[1]['id']}&match[type]=indicator,report"
    assert len(_get(mesh, "B", "A", f"{base}?{several}").json()["objects"]) == 2
    markings = _get(mesh, "B", "A", f"{base}?match[type]=marking-definition").json()["objects"]
    assert {o["name"] for o in markings} >= {"TLP:AMBER", "Agreement AB-2026"}


def test_taxii_errors_and_accept(mesh: Mesh) -> None:
    base = f"{ROOT}/collections/{outbox_collection('A', 'B')}/objects/"
    bad = _get(mesh, "B", "A", f"{base}?match[version]=yesterday")
    assert bad.status_code == 400
    assert bad.headers["content-type"] == TAXII_MEDIA
    assert bad.json()["http_status"] == "400"
    assert "match[version]" in bad.json()["description"]
    assert _get(mesh, "B", "A", f"{base}?limit=0").json()["http_status"] == "400"
    assert _get(mesh, "B", "A", f"{base}?next=zz").status_code == 400
    missing = _get(mesh, "B", "A", f"{ROOT}/collections/nope/objects/")
    assert (missing.status_code, missing.json()["error_code"]) == (404, "not_found")
    for accept in ("text/html", "application/taxii+json;version=2.0", "application/json"):
        request = _signed(mesh, "B", "A", "GET", "/taxii2/")
        request.headers["Accept"] = accept
        refused = _send(mesh, "A", request)
        assert refused.status_code == 406, accept
        assert refused.json()["http_status"] == "406"
    for accept in ("application/taxii+json", "*/*", f"text/html, {TAXII_MEDIA}"):
        request = _signed(mesh, "B", "A", "GET", "/taxii2/")
        request.headers["Accept"] = accept
        assert _send(mesh, "A", request).status_code == 200, accept


def test_the_extension_schemas_are_served(mesh: Mesh) -> None:
    with httpx.Client(transport=bridge(mesh.apps["A"]), base_url="http://node.test") as client:
        found = client.get("/taxii2/schemas/customs-records.json")
        assert found.status_code == 200
        assert found.json()["title"].startswith("BorderLink customs records")
        assert client.get("/taxii2/schemas/nothing.json").status_code == 404
    served = _get(mesh, "B", "A", f"{ROOT}/collections/{outbox_collection('A', 'B')}/objects/")
    schemas = [o["schema"] for o in served.json()["objects"] if o["type"] == "extension-definition"]
    assert "http://node.test/taxii2/schemas/customs-records.json" in schemas


def test_served_objects_validate_as_stix(mesh: Mesh) -> None:
    base = f"{ROOT}/collections/{outbox_collection('A', 'B')}"
    objects: list[dict[str, Any]] = _get(mesh, "B", "A", f"{base}/objects/").json()["objects"]
    assert stix_errors(objects) == []
    assert len(parse_strictly(objects)) == len(objects)


def test_inbox_collection_shows_what_b_accepted(mesh: Mesh) -> None:
    sync_partner(mesh.nodes["B"], "A", transport=bridge(mesh.apps["A"]))
    held = _get(mesh, "A", "B", f"{ROOT}/collections/{inbox_collection('B', 'A')}/objects/")
    assert sum(o["type"] == "indicator" for o in held.json()["objects"]) == 7


def test_tree_head_and_consistency_endpoints(mesh: Mesh) -> None:
    head = _get(mesh, "B", "A", "/api/v1/exchange/tree-head").json()
    assert head["tree_size"] == 7
    proof = _get(mesh, "B", "A", "/api/v1/exchange/consistency?first=3&second=7").json()
    assert len(proof["proof"]) >= 1
    bad = _get(mesh, "B", "A", "/api/v1/exchange/consistency?first=9&second=7")
    assert bad.status_code == 400


def test_single_object_and_its_versions(mesh: Mesh) -> None:
    base = f"{ROOT}/collections/{outbox_collection('A', 'B')}"
    first = _get(mesh, "B", "A", f"{base}/objects/?match[type]=indicator").json()["objects"][0]
    one = _get(mesh, "B", "A", f"{base}/objects/{first['id']}/").json()
    assert [o["id"] for o in one["objects"]] == [first["id"]]
    assert len(one["x_borderlink_envelopes"]) == 1
    versions = _get(mesh, "B", "A", f"{base}/objects/{first['id']}/versions/").json()
    assert versions["versions"] == [first["modified"]]
    missing = _get(mesh, "B", "A", f"{base}/objects/x-borderlink-alert--nope/")
    assert missing.status_code == 404


def test_the_inbox_pages_by_next_or_by_date_added_each_object_once(mesh: Mesh) -> None:
    # Received in one batch (one instant before): now each held object has its own date_added.
    from borderlink.services.cooperation.records import issue_all
    from tests.coop_samples import new_seizure

    issue_all(mesh.nodes["A"], OPS, [new_seizure() for _ in range(3)], notify=False)
    sync_partner(mesh.nodes["B"], "A", transport=bridge(mesh.apps["A"]))
    base = f"{ROOT}/collections/{inbox_collection('B', 'A')}/objects/"
    everything = _get(mesh, "A", "B", f"{base}?limit=1000").json()["objects"]
    manifest = _get(mesh, "A", "B", f"{base.replace('objects', 'manifest')}?limit=1000").json()
    added = [e["date_added"] for e in manifest["objects"]]
    assert len(set(added)) == len(added) == len(everything)
    assert added == sorted(added)
    ids = [o["id"] for o in everything]
    assert len(ids) == len(set(ids))
    assert sum(o["type"] == "indicator" for o in everything) == 7
    for limit in (1, 2, 5):
        by_next: list[str] = []
        query = f"limit={limit}"
        while True:
            page = _get(mesh, "A", "B", f"{base}?{query}").json()
            by_next += [o["id"] for o in page.get("objects", [])]
            if not page["more"]:
                break
            query = f"limit={limit}&next={page['next']}"
        assert by_next == ids
        by_added: list[str] = []
        query = f"limit={limit}"
        while True:
            response = _get(mesh, "A", "B", f"{base}?{query}")
            objects = response.json().get("objects", [])
            if not objects:
                break
            by_added += [o["id"] for o in objects]
            query = f"limit={limit}&added_after={response.headers['X-TAXII-Date-Added-Last']}"
        assert by_added == ids


def test_paging_by_date_added_seeks_the_index_instead_of_reading_from_the_start(
    mesh: Mesh,
) -> None:
    from sqlalchemy import text

    with mesh.nodes["A"].read() as conn:
        plan = conn.execute(
            text(
                "EXPLAIN QUERY PLAN SELECT seq FROM released WHERE partner_id = 'B' "
                "AND added_at >= '2026-01-01' ORDER BY added_at, seq LIMIT 10"
            )
        ).all()
        held = conn.execute(
            text(
                "EXPLAIN QUERY PLAN SELECT record_id FROM coop_records WHERE received_from = 'B' "
                "AND stored_at > '2026-01-01' ORDER BY stored_at, record_id LIMIT 10"
            )
        ).all()
    assert any("ix_released_partner_added" in str(row) for row in plan)
    assert not any("TEMP B-TREE" in str(row) for row in plan)  # no sort: the index's order
    assert any("ix_coop_records_sender_stored" in str(row) for row in held)
    assert not any("TEMP B-TREE" in str(row) for row in held)
