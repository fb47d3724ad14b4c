"""A two-node cooperation demo: Atlantis (A) and Borduria (B) under a mutual assistance agreement.

The shell starts both nodes' HTTP servers on loopback; these functions set up identities,
partners and the agreement, record a seizure at A, and show what B made of it.
"""

from __future__ import annotations

import datetime as dt
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

import polars as pl

from borderlink.model.cooperation import (
    Agreement,
    AgreementState,
    AgreementType,
    Category,
    Route,
    SeizedParty,
    Seizure,
)
from borderlink.services.accounts.demo import DEMO
from borderlink.services.cooperation import Partner
from borderlink.services.cooperation.agreements import (
    accept_copy,
    add_agreement,
    signed_copy,
    transition_agreement,
)
from borderlink.services.cooperation.partners import add_partner, init_node, node_identity
from borderlink.services.cooperation.records import (
    IssueResult,
    active_alerts,
    held_objects,
    record_seizure,
)
from borderlink.services.node import Node, open_node
from borderlink.services.screening import match_alerts
from borderlink.settings import Settings

NAMES = MappingProxyType({"atlantis": "Customs of Atlantis", "borduria": "Customs of Borduria"})


def demo_nodes(root: Path, base: Settings) -> dict[str, Node]:
    """Two fresh nodes under ``root`` (each its own SQLite file and key)."""
    nodes = {}
    for node_id, name in NAMES.items():
        settings = base.model_copy(
            update={
                "data_dir": root / node_id,
                "db": None,
                "node_id": node_id,
                "node_name": name,
                "node_key_file": None,
                "auto_migrate": True,
            }
        )
        node = open_node(settings)
        init_node(node, DEMO, overwrite=True)
        nodes[node_id] = node
    return nodes


def link(nodes: dict[str, Node], urls: dict[str, str]) -> Agreement:
    """Partners both ways, and an agreement in force: seizures + alerts, identities redacted."""
    keys = {n: node_identity(node).public_key for n, node in nodes.items()}
    for me, node in nodes.items():
        for other in nodes:
            if other != me:
                add_partner(node, DEMO, Partner(other, NAMES[other], keys[other], urls[other]))
    agreement = Agreement(
        agreement_id="ATL-BOR-CMAA",
        title="Atlantis-Borduria customs mutual assistance agreement",
        type=AgreementType.CMAA,
        parties=tuple(nodes),
        legal_basis="CMAA Atlantis-Borduria (demo), art. 3 spontaneous assistance",
        categories=frozenset({Category.SEIZURE, Category.ALERT}),
        purposes=frozenset({"risk-management"}),
        redact={Category.SEIZURE: ("concealment",)},
        amber_recipients=tuple(nodes),
        review_on=dt.datetime.now(dt.UTC).date() + dt.timedelta(days=365),
    )
    for node in nodes.values():
        add_agreement(node, DEMO, agreement)
        for step in (AgreementState.SIGNED, AgreementState.RATIFIED, AgreementState.IN_FORCE):
            transition_agreement(node, DEMO, agreement.agreement_id, step)
    for me, node in nodes.items():  # the liaison officers exchange their signed copies
        token = signed_copy(node, DEMO, agreement.agreement_id)
        for other, partner in nodes.items():
            if other != me:
                accept_copy(partner, DEMO, token)
    return agreement


def seize(node: Node) -> list[IssueResult]:
    now = dt.datetime.now(dt.UTC)
    seizure = Seizure(
        id=f"report--{uuid.uuid4()}",  # a seizure travels as a STIX report
        issuer=node.settings.node_id,
        created=now,
        modified=now,
        seized_on=now.date(),
        office_id="ATL-PORT-1",
        goods_description="120,000 cigarettes hidden in sofa frames",
        hs_code="240220",
        origin_country="CN",
        quantity=120000,
        quantity_unit="PCE",
        concealment="false bottoms in upholstered furniture",
        route=Route(departure_country="CN", loading_location="CNSHA", transport_mode="1"),
        declaration_id="ATL-2026-000417",
        parties=(SeizedParty(role="importer", party_id="ATL-T-0042", name="Sofa Imports Ltd"),),
    )
    return record_seizure(node, DEMO, seizure, alert_days=90)


@dataclass(frozen=True)
class DemoOutcome:
    received: list[dict[str, object]]
    hits: pl.DataFrame


def outcome_at(node: Node, expected: int, timeout: float = 10.0) -> DemoOutcome:
    """Wait for ``expected`` records at ``node``, then match its sample declarations."""
    deadline = time.monotonic() + timeout
    while len(held_objects(node)) < expected and time.monotonic() < deadline:
        time.sleep(0.05)
    today = dt.datetime.now(dt.UTC).date()
    declarations = pl.DataFrame(
        {
            "declaration_id": ["BOR-2026-100231", "BOR-2026-100232", "BOR-2026-100233"],
            "declared_on": [today, today, today],
            "importer_id": ["BOR-T-7", "BOR-T-8", "BOR-T-9"],
            "hs_code_current": ["240220", "940161", "240220"],
            "origin_country": ["CN", "CN", "VN"],
            "departure_country": ["CN", "CN", "VN"],
            "loading_location": ["CNSHA", "CNSHA", "VNSGN"],
            "transport_mode": ["1", "1", "1"],
        }
    )
    return DemoOutcome(held_objects(node), match_alerts(declarations, active_alerts(node, today)))
