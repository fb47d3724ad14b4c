"""Fixtures for the exchange tests: sample records issued by node A (see coop_samples)."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "cooperation"))
from borderlink.cooperation.records import new_record
from borderlink.model import Alert, Seizure
from borderlink.services.accounts.access import Principal
from borderlink.services.cooperation.records import issue, record_seizure, revoke
from borderlink.services.exchange.taxii import partner_bundle
from tests.coop_mesh import agree, build_mesh, connect
from tests.coop_samples import agreement, new_alert, new_seizure, sample_alert, sample_seizure


@pytest.fixture
def seizure() -> Seizure:
    return sample_seizure()


@pytest.fixture
def alert() -> Alert:
    return sample_alert()


@pytest.fixture
def make_agreement() -> Any:
    return agreement


@pytest.fixture
def partner_export(tmp_path: Path, _sqlite_template: Path) -> Iterator[dict[str, Any]]:
    """What partner B reads from node A's collections (``records export --partner B --format
    stix``), for the interop tests with MISP's and OpenCTI's own importers: a seizure (its report,
    locations, goods note and the alert it implies), two alerts of which one revoked (both its
    versions), an AEO status, and the identity, marking and extension definitions."""
    mesh = build_mesh(tmp_path / "nodes", ["A", "B"], template=_sqlite_template)
    try:
        connect(mesh, "A", "B")
        agree(mesh, agreement(categories=["seizure", "alert", "aeo-status"]))
        a, ops = mesh.nodes["A"], Principal.system("test")
        record_seizure(a, ops, new_seizure(), notify=False)  # and the alert it implies
        issue(a, ops, new_alert(7), notify=False)
        withdrawn = issue(a, ops, new_alert(8), notify=False)
        revoke(a, ops, withdrawn.record_id, reason="wrong HS code", notify=False)
        aeo = new_record(
            "aeo-status",
            {"trader_id": "AT-1", "country": "AT", "status": "granted", "valid_from": "2026-01-01"},
            issuer="A",
            now=dt.datetime.now(dt.UTC),
        )
        issue(a, ops, aeo, notify=False)
        yield partner_bundle(a, ops, "B", base_url="http://a.test")
    finally:
        mesh.close()
