"""The issue's "done when": three real nodes over HTTP on loopback, separate databases.

A and B cooperate under an agreement in force (seizures and alerts, identities redacted); A and C
under one for alerts only, suspended. A seizure recorded at A reaches B, redacted as agreed, at
once (signed notice, then B pulls), and so does the alert it implies, with nothing the seizure
may not carry; neither reaches C; B then flags a matching declaration with
A's alert as the reason. Also: B's sync process SIGKILLed mid-way resumes with no loss and no
duplicate; a sync cut off by A going down resumes once A is back; the OASIS taxii2-client reads
A's collection for B.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import polars as pl
import pytest

from borderlink.cooperation import match_alerts
from borderlink.errors import PartnerUnavailable
from borderlink.exchange.auth import sign_request
from borderlink.exchange.client import API_ROOT, outbox_collection
from borderlink.exchange.stix import flat_view
from borderlink.model import AgreementState
from borderlink.services import Node
from borderlink.services.accounts.access import Principal
from borderlink.services.cooperation.partners import get_partner
from borderlink.services.cooperation.records import (
    active_alerts,
    held_objects,
    issue,
    issue_all,
    record_seizure,
)
from borderlink.services.exchange.sync import cursor, sync_partner
from tests.coop_mesh import LiveServer, Mesh, agree, build_mesh, connect, go_live
from tests.coop_samples import TODAY, agreement, new_alert, new_seizure, stix_errors

OPS = Principal.system("test")  # acts for the node in the tests

pytestmark = pytest.mark.slow


@pytest.fixture
def live(tmp_path: Path, _sqlite_template: Path) -> Iterator[tuple[Mesh, dict[str, LiveServer]]]:
    mesh = build_mesh(tmp_path, ["A", "B", "C"], template=_sqlite_template)
    servers = go_live(mesh)
    try:
        connect(mesh, "A", "B")
        connect(mesh, "A", "C")
        agree(mesh, agreement(redact={"seizure": ["concealment"]}))
        agree(
            mesh,
            agreement(agreement_id="AC-2026", parties=["A", "C"], categories=["alert"]),
            to=AgreementState.SUSPENDED,
        )
        yield mesh, servers
    finally:
        for server in servers.values():
            server.stop()
        mesh.close()


def _wait_for(check: Any, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        time.sleep(0.02)


SEIZURE_AT_B = {
    "type",
    "id",
    "created",
    "modified",
    "created_by_ref",
    "object_marking_refs",
    "redacted",
    "issuer",
    "classification",
    "seized_on",
    "office_id",
    "goods_description",
    "hs_code",
    "origin_country",
    "quantity",
    "route",
}
ALERT_AT_B = {
    "type",
    "id",
    "created",
    "modified",
    "created_by_ref",
    "object_marking_refs",
    "redacted",
    "issuer",
    "classification",
    "title",
    "description",
    "valid_from",
    "valid_until",
    "hs_codes",
    "origins",
    "route",
    "source_seizure",
}


def test_seizure_at_a_reaches_b_redacted_never_c_and_b_flags_it(
    live: tuple[Mesh, dict[str, LiveServer]],
) -> None:
    mesh, _ = live
    a, b, c = mesh.nodes["A"], mesh.nodes["B"], mesh.nodes["C"]
    seizure = new_seizure()
    seizure_result, alert_result = record_seizure(a, OPS, seizure)
    assert seizure_result.notified == ["B"]
    _wait_for(lambda: len(held_objects(b)) == 2)

    held_b = {o["id"]: o for o in held_objects(b)}
    fields_b = {k: flat_view(o) for k, o in held_b.items()}  # the record fields B holds
    assert set(fields_b[seizure.id]) == SEIZURE_AT_B
    assert fields_b[seizure.id]["redacted"] == ["concealment", "declaration_id", "parties"]
    assert set(fields_b[alert_result.record_id]) == ALERT_AT_B
    # The derived alert carries nothing the seizure may not: neither how the goods were hidden
    # nor who traded them (carrier included).
    assert fields_b[alert_result.record_id]["redacted"] == ["concealment", "trader_ids"]
    assert "false bottom" not in str(held_b[alert_result.record_id])
    assert "T-42" not in str(held_b[alert_result.record_id])
    held_a = {o["id"]: flat_view(o) for o in held_objects(a)}
    assert held_a[seizure.id]["parties"][0]["name"] == "ACME Ltd"  # A keeps its full record
    assert "granular_markings" in held_a[seizure.id]
    assert held_objects(c) == []
    assert sync_partner(c, "A").accepted == 0  # C asks: there is nothing for it
    assert held_objects(c) == []
    assert stix_errors(list(held_b.values())) == []

    declarations = pl.DataFrame(
        {
            "declaration_id": ["B-100", "B-101"],
            "declared_on": [TODAY.date() + dt.timedelta(days=1)] * 2,
            "importer_id": ["B-T-9", "B-T-9"],
            "hs_code": ["240220", "240220"],
            "hs_code_current": ["240220", "240220"],
            "origin_country": ["CN", "CN"],
            "departure_country": ["CN", "CN"],
            "loading_location": ["CNSHA", "KRPUS"],
        }
    )
    hits = match_alerts(declarations, active_alerts(b, TODAY.date() + dt.timedelta(days=1)))
    assert hits.select("declaration_id", "alert_id", "partner").rows() == [
        ("B-100", alert_result.record_id, "A")
    ]
    assert "partner A" in hits["reason"][0]


class _StopAfter(httpx.BaseTransport):
    """Real HTTP; brings the partner's server down after ``pages`` object pages were served."""

    def __init__(self, server: LiveServer, pages: int) -> None:
        self.inner = httpx.HTTPTransport()
        self.server, self.pages, self.seen = server, pages, 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if "/objects/" in request.url.path:
            self.seen += 1
            if self.seen == self.pages + 1:
                self.server.stop()
        return self.inner.handle_request(request)


def test_sync_cut_off_by_a_going_down_resumes_after_restart(
    live: tuple[Mesh, dict[str, LiveServer]],
) -> None:
    mesh, servers = live
    a, b = mesh.nodes["A"], mesh.nodes["B"]
    for n in range(30):
        issue(a, OPS, new_alert(n), notify=False)
    with pytest.raises(PartnerUnavailable):
        sync_partner(b, "A", transport=_StopAfter(servers["A"], 2), page_size=10)
    assert len(held_objects(b)) == 20
    servers["A"] = LiveServer(mesh.apps["A"], servers["A"].port).start()
    result = sync_partner(b, "A", page_size=10)
    assert (result.accepted, result.duplicates, result.rejected) == (10, 0, {})
    assert sorted(o["name"] for o in held_objects(b)) == sorted(f"alert {n}" for n in range(30))


def test_taxii2_client_reads_a_collection(live: tuple[Mesh, dict[str, LiveServer]]) -> None:
    import requests
    from taxii2client.v21 import Collection, Server, as_pages

    mesh, servers = live
    for n in range(5):
        issue(mesh.nodes["A"], OPS, new_alert(n), notify=False)
    b = mesh.identities["B"]

    class SignedByB(requests.auth.AuthBase):
        def __call__(self, r: requests.PreparedRequest) -> requests.PreparedRequest:
            raw = r.body
            assert raw is None or isinstance(raw, bytes | str), raw  # taxii2client sends JSON
            body = raw.encode() if isinstance(raw, str) else (raw or b"")
            sign_request(b, r, recipient="A", body=body, now=dt.datetime.now(dt.UTC))
            return r

    server = Server(f"{servers['A'].url}/taxii2/", auth=SignedByB())
    assert server.default is not None
    root = server.api_roots[0]
    assert root.url.endswith(f"/taxii2/{API_ROOT}/")
    titles = {c.title for c in root.collections}
    assert titles == {"A to B", "B to A"}
    url = f"{servers['A'].url}/taxii2/{API_ROOT}/collections/{outbox_collection('A', 'B')}/"
    collection = Collection(url, auth=SignedByB())
    assert collection.can_read
    objects = [
        o for page in as_pages(collection.get_objects, per_request=2) for o in page["objects"]
    ]
    alerts = [o for o in objects if o["type"] == "indicator"]
    assert sorted(o["name"] for o in alerts) == [f"alert {n}" for n in range(5)]
    assert stix_errors(objects) == []  # the definitions they refer to came with them
    assert {o["type"] for o in objects} == {
        "indicator",
        "identity",
        "extension-definition",
        "marking-definition",
    }
    assert get_partner(mesh.nodes["B"], "A").base_url == servers["A"].url


def test_b_killed_mid_sync_resumes_with_no_loss_and_no_duplicate(
    live: tuple[Mesh, dict[str, LiveServer]],
) -> None:
    """B's sync runs as its own process (the CLI) and is SIGKILLed after its first pages."""
    mesh, _ = live
    a, b = mesh.nodes["A"], mesh.nodes["B"]
    total = 1000
    for start in range(0, total, 500):
        issue_all(a, OPS, [new_alert(n) for n in range(start, start + 500)], notify=False)
    env = {
        **os.environ,
        "BORDERLINK_ENVIRONMENT": "test",
        "BORDERLINK_NODE_ID": "B",
        "BORDERLINK_DATA_DIR": str(b.settings.data_dir),
        "BORDERLINK_DB": b.settings.database_url,
        "BORDERLINK_EXCHANGE_PAGE_SIZE": "10",
    }
    cli = Path(sys.executable).parent / "borderlink"
    process = subprocess.Popen(
        [str(cli), "exchange", "sync", "A"], env=env, stdout=subprocess.DEVNULL
    )
    try:
        _wait_for(lambda: _cursor(b) > 0, timeout=30)
        process.send_signal(signal.SIGKILL)
    finally:
        process.wait(timeout=30)
    held_at_kill = len(held_objects(b))
    assert 0 < held_at_kill < total, "the kill must land mid-sync"
    assert held_at_kill % 10 == 0  # whole pages only: each page commits with its cursor
    result = sync_partner(b, "A", page_size=100)
    assert (result.accepted, result.duplicates, result.rejected) == (total - held_at_kill, 0, {})
    titles = sorted(o["name"] for o in held_objects(b))
    assert titles == sorted(f"alert {n}" for n in range(total))


def _cursor(node: Node) -> int:
    with node.engine.connect() as conn:
        return cursor(conn, "A")
