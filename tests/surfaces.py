"""Shared by the API and page tests: a node with one user per role and a few declarations.

``seeded(node)`` returns a :class:`Seeded` with the node (cheap argon2 for speed), each role's
username (password ``PASSWORD``) and API token, and the declaration ids per office.
``client(app, token=...)`` is an in-process ``httpx.AsyncClient`` (no TestClient: see common.md).
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from fastapi import FastAPI
from sqlalchemy import insert, select

from borderlink.coordination import AgencyRule
from borderlink.exchange.identity import Partner
from borderlink.model import Agreement
from borderlink.risk import Profile
from borderlink.services import Node
from borderlink.services.accounts import users as accounts
from borderlink.services.accounts.access import Principal, Role
from borderlink.services.cooperation import agreements, partners
from borderlink.services.coordination import agency_rules, routing
from borderlink.services.ingest.files import ingest_file
from borderlink.services.risk import profiles, waiting
from borderlink.store import declaration_writes
from borderlink.store.coordination_tables import referrals
from borderlink.store.risk_tables import scores
from borderlink.store.tables import outcomes, parties

OPS = Principal.system("test")  # acts for the node in the tests

ADMIN = Principal.system("test")

PASSWORD = "correct horse battery"
OFFICE_A, OFFICE_B = "OFA", "OFB"
AGENCY = "health-agency"  # the seeded agency officer's agency
DAY = dt.date(2026, 11, 20)


@dataclass
class Seeded:
    node: Node
    users: dict[Role, str] = field(default_factory=dict)
    tokens: dict[Role, str] = field(default_factory=dict)
    office_a: list[str] = field(default_factory=list)
    office_b: list[str] = field(default_factory=list)


def fast(node: Node) -> Node:
    return Node(
        settings=node.settings.model_copy(update={"password_hashing": "fast"}), engine=node.engine
    )


def seed_declarations(node: Node, n_per_office: int = 3) -> tuple[list[str], list[str]]:
    now = dt.datetime.now(dt.UTC)
    ids: dict[str, list[str]] = {OFFICE_A: [], OFFICE_B: []}
    with node.engine.begin() as conn:
        conn.execute(
            insert(parties),
            [
                {"party_id": "IMP-1", "name": "Acme Imports Ltd", "country": "KR", "aeo": False},
                {"party_id": "EXP-1", "name": "Zeta Trading Co", "country": "CN", "aeo": None},
            ],
        )
        for office in (OFFICE_A, OFFICE_B):
            for n in range(n_per_office):
                did = f"D-{office}-{n}"
                ids[office].append(did)
                header = {
                    "declaration_id": did,
                    "declaration_type": "IM",
                    "declared_on": DAY - dt.timedelta(days=n),
                    "office_id": office,
                    "procedure": "40",
                    "transport_mode": "4",
                    "departure_country": "CN",
                    "importer_id": "IMP-1",
                    "exporter_id": "EXP-1",
                    "declarant_id": "IMP-1",
                    "created_at": now,
                }
                declaration_writes.insert_rows(
                    conn,
                    [header],
                    [
                        {
                            "declaration_id": did,
                            "item_no": i,
                            "hs_code": "851762",
                            "hs_edition": "HS2022",
                            "hs_code_current": "851762",
                            "description": "network switches",
                            "origin_country": "CN",
                            "net_mass_kg": 12.5,
                            "value": 1000.0 * i,
                            "currency": "USD",
                            "value_reporting": 1000.0 * i,
                            "flags": "hs_older_edition" if i == 2 else None,
                            "row_hash": f"{did}-{i}",
                        }
                        for i in (1, 2)
                    ],
                )
        conn.execute(
            insert(outcomes).values(
                declaration_id=ids[OFFICE_A][1],
                illicit=True,
                severity=2,
                source="ingest:test",
                recorded_at=now,
            )
        )
    # One rejected record, through the real ingest: a declaration without its date.
    broken = {"id": "D-X", "office": OFFICE_A, "items": [{"hs_code": "851713", "value": 5}]}
    path = Path(tempfile.mkdtemp()) / "broken.json"
    path.write_text(json.dumps([broken]))
    summary = ingest_file(node, OPS, path, format="json")
    assert summary.rejected == 1, summary
    return ids[OFFICE_A], ids[OFFICE_B]


def seed(node: Node) -> Seeded:
    node = fast(node)
    seeded = Seeded(node=node)
    for role in Role:
        name = f"{role.value}-1"
        accounts.add_user(
            node,
            ADMIN,
            username=name,
            password=PASSWORD,
            role=role,
            office_id=OFFICE_A if role is Role.OFFICER else None,
            agency=AGENCY if role is Role.AGENCY_OFFICER else None,
        )
        seeded.users[role] = name
        if role is Role.FEED:  # a feed's key is issued by an administrator, never its own
            issued = accounts.issue_token(node, ADMIN, username=name, name="test", reason="feed")
            seeded.tokens[role] = issued.token
            continue
        # Each user makes their own token: an issued one never answers for an agency.
        own = accounts.authenticate(node, name, PASSWORD)
        seeded.tokens[role] = accounts.create_token(node, own, name="test").token
    seeded.office_a, seeded.office_b = seed_declarations(node)
    return seeded


PARTNER_KEY = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"  # a valid Ed25519 public key


def agreement_document(node: Node, agreement_id: str) -> dict[str, object]:
    return {
        "agreement_id": agreement_id,
        "title": "Mutual assistance",
        "type": "bilateral-mou",
        "parties": [node.settings.node_id, "node-b"],
        "legal_basis": "MoU of 2026",
        "categories": ["alert", "seizure"],
        "purposes": ["risk-management"],
        "redact": {"seizure": ["parties"]},
    }


def seed_agreement(node: Node, agreement_id: str) -> str:
    agreements.add_agreement(
        node, OPS, Agreement.model_validate(agreement_document(node, agreement_id))
    )
    return agreement_id


def seed_partner(node: Node, partner_id: str) -> str:
    partner = Partner(partner_id, "Customs of Borduria", PARTNER_KEY, "http://127.0.0.1:9")
    partners.add_partner(node, OPS, partner)
    return partner_id


def seed_scores(node: Node, channels: dict[str, str]) -> None:
    """Scores as the risk engine stores them: {declaration_id: channel}, riskier first."""
    now = dt.datetime.now(dt.UTC)
    rows = [
        {
            "declaration_id": declaration_id,
            "model_version": "rm-test",
            "score": 0.9 - n / 10,
            "risk": 0.9 - n / 10,
            "channel": channel,
            "selection": "risk" if channel != "green" else "none",
            "reasons": None
            if channel == "green"
            else [
                {
                    "source": "model",
                    "reason": "unit_value",
                    "contribution": 1.2,
                    "text": "unit value at 8% of the usual for 851762 from CN",
                },
                {"source": "profile", "profile": "cheap-electronics", "text": "cheap electronics"},
            ],
            "scored_at": now,
        }
        for n, (declaration_id, channel) in enumerate(channels.items())
    ]
    with node.engine.begin() as conn:
        conn.execute(insert(scores), rows)
        waiting.refresh(conn, channels)  # as the risk engine's writes keep it


def seed_profile(node: Node, name: str) -> str:
    profile = Profile(name=name, expression='origin == "CN"', weight=0.2, reason="from CN")
    profiles.save_profile(node, Principal.system("test"), profile)
    return name


def client(app: FastAPI, token: str | None = None) -> httpx.AsyncClient:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver", headers=headers
    )


REFERRAL_RULES = [
    AgencyRule(name="a-to-health", agency=AGENCY, condition=f'office == "{OFFICE_A}"', reason="A"),
    AgencyRule(
        name="b-to-police", agency="police", condition=f'office == "{OFFICE_B}"', reason="B"
    ),
]


def seed_referrals(seeded: Seeded) -> dict[str, int]:
    """Refer office A's declarations to the seeded agency officer's agency and office B's to
    the police; the referral ids of each office's first declaration."""
    agency_rules.save_rules(seeded.node, Principal.system("test"), REFERRAL_RULES)
    routing.route_declarations(seeded.node, Principal.system("test"))
    wanted = {"health": (seeded.office_a[0], AGENCY), "police": (seeded.office_b[0], "police")}
    found: dict[str, int] = {}
    with seeded.node.engine.connect() as conn:
        for name, (declaration_id, agency) in wanted.items():
            found[name] = conn.execute(
                select(referrals.c.referral_id).where(
                    referrals.c.declaration_id == declaration_id, referrals.c.agency == agency
                )
            ).scalar_one()
    return found
