"""A partner's standard TAXII client (taxii2-client) with read-only credentials, over real HTTP.

Node A serves on loopback; partner B's liaison officer got a username and password from A
(``partners credentials B``). With them, taxii2-client reads B's collection at A and gets
exactly what A released to B (redacted), with the definitions; C's collection stays closed, a
wrong or revoked password is 401, and the credentials open no node-to-node call.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import requests
from sqlalchemy import select

from borderlink.errors import NotFound, PermissionDenied
from borderlink.exchange.client import API_ROOT, outbox_collection
from borderlink.services.accounts.access import Principal, Role
from borderlink.services.cooperation.records import issue, record_seizure
from borderlink.services.exchange.credentials import (
    create_credentials,
    list_credentials,
    revoke_credentials,
)
from borderlink.store.tables import audit_log
from tests.coop_mesh import LiveServer, Mesh, agree, build_mesh, connect, go_live
from tests.coop_samples import agreement, new_alert, new_seizure, parse_strictly, stix_errors

OPS = Principal.system("test")
pytestmark = pytest.mark.slow


@pytest.fixture
def live(tmp_path: Path, _sqlite_template: Path) -> Iterator[tuple[Mesh, dict[str, LiveServer]]]:
    mesh = build_mesh(tmp_path, ["A", "B", "C"], template=_sqlite_template)
    servers = go_live(mesh)
    try:
        connect(mesh, "A", "B")
        connect(mesh, "A", "C")
        agree(mesh, agreement(redact={"seizure": ["concealment"]}))
        agree(mesh, agreement(agreement_id="AC-2026", parties=["A", "C"], categories=["alert"]))
        yield mesh, servers
    finally:
        for server in servers.values():
            server.stop()


def _read_all(url: str, user: str, password: str) -> list[dict[str, Any]]:
    from taxii2client.v21 import Collection, as_pages

    collection = Collection(url, user=user, password=password)
    assert collection.can_read
    assert not collection.can_write
    return [o for page in as_pages(collection.get_objects, per_request=3) for o in page["objects"]]


def test_a_partners_tool_reads_its_collection_with_read_only_credentials(
    live: tuple[Mesh, dict[str, LiveServer]],
) -> None:
    from taxii2client.v21 import Server

    mesh, servers = live
    a = mesh.nodes["A"]
    record_seizure(a, OPS, new_seizure(), notify=False)
    issue(a, OPS, new_alert(1), notify=False)
    made = create_credentials(a, OPS, "B")
    base = f"{servers['A'].url}/taxii2/"
    server = Server(base, user=made.username, password=made.password)
    assert {c.title for c in server.api_roots[0].collections} == {"A to B", "B to A"}
    url = f"{base}{API_ROOT}/collections/{outbox_collection('A', 'B')}/"
    objects = _read_all(url, made.username, made.password)
    text = json.dumps(objects)
    assert {"report", "indicator", "location", "note", "marking-definition"} <= {
        o["type"] for o in objects
    }
    for withheld in ("false bottom", "ACME", "T-42", "A-D-77"):
        assert withheld not in text  # only the released copies: redacted, parts included
    assert stix_errors(objects) == []
    assert len(parse_strictly(objects)) == len(objects)

    with httpx.Client(base_url=servers["A"].url) as http:
        c_url = f"/taxii2/{API_ROOT}/collections/{outbox_collection('A', 'C')}/objects/"
        auth = (made.username, made.password)
        assert http.get(c_url, auth=auth).status_code == 404  # another partner's collection
        wrong = http.get(f"/taxii2/{API_ROOT}/collections/", auth=(made.username, "nope"))
        assert wrong.status_code == 401
        assert wrong.json()["http_status"] == "401"
        assert http.get("/taxii2/", auth=("taxii-nobody", "x")).status_code == 401
        # Read-only, TAXII only: no notice, no log, no key statements with them.
        assert http.post("/api/v1/exchange/notify", auth=auth, json={"token": "x"}).status_code in (
            401,
            403,
        )
        assert http.get("/api/v1/exchange/tree-head", auth=auth).status_code in (401, 403)
        assert http.post(url.replace(servers["A"].url, "") + "objects/", auth=auth).status_code in (
            401,
            403,
            405,
        )
        revoke_credentials(a, OPS, "B")
        assert http.get(f"/taxii2/{API_ROOT}/collections/", auth=auth).status_code == 401
    with pytest.raises(requests.HTTPError):
        _read_all(url, made.username, made.password)


def test_credentials_are_for_liaison_officers_and_audited(
    live: tuple[Mesh, dict[str, LiveServer]],
) -> None:
    mesh, _ = live
    a = mesh.nodes["A"]
    officer = Principal(user_id=7, username="officer-1", role=Role.OFFICER)
    with pytest.raises(PermissionDenied):
        create_credentials(a, officer, "B")
    liaison = Principal(user_id=8, username="liaison-1", role=Role.LIAISON_OFFICER)
    first = create_credentials(a, liaison, "B")
    second = create_credentials(a, liaison, "B")  # new ones end the earlier ones
    views = {v.username: v for v in list_credentials(a, liaison)}
    assert views[first.username].revoked_at is not None
    assert views[second.username].revoked_at is None
    assert first.password not in str(views)  # the password is never kept
    with pytest.raises(NotFound):
        create_credentials(a, liaison, "Z")  # no such partner
    revoke_credentials(a, liaison, "B")
    with pytest.raises(NotFound):
        revoke_credentials(a, liaison, "B")
    with a.read() as conn:
        rows = conn.execute(
            select(audit_log.c.action, audit_log.c.actor).order_by(audit_log.c.entry_id)
        )
        actions = [r.action for r in rows if r.action.startswith("taxii_")]
    assert actions == [
        "taxii_credentials.create",
        "taxii_credentials.create",
        "taxii_credentials.revoke",
    ]
