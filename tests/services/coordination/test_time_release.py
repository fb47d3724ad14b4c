"""The time release view over the store, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

from borderlink.model import Outcome, ReferralAnswer, ReferralStatus
from borderlink.services import Node
from borderlink.services.accounts import users as accounts
from borderlink.services.accounts.access import Principal, Role
from borderlink.services.cooperation import aeo
from borderlink.services.cooperation.partners import init_node
from borderlink.services.cooperation.records import issue_document
from borderlink.services.coordination import referrals
from borderlink.services.coordination.time_release import (
    public_release_times,
    time_release_view,
)
from borderlink.services.declarations import read as declarations
from tests.surfaces import DAY, Seeded, seed, seed_referrals, seed_scores

SYSTEM = Principal.system("test")


def _as(seeded: Seeded, role: Role) -> Principal:
    return accounts.token_principal(seeded.node, seeded.tokens[role])


def test_stages_per_channel_agency_office_and_aeo_status(node: Node) -> None:
    seeded = seed(node)
    a0, a1, a2 = seeded.office_a
    b0, b1, _ = seeded.office_b
    seed_scores(seeded.node, {a0: "red", b0: "red", a1: "yellow", b1: "green", a2: "green"})
    referral_ids = seed_referrals(seeded)
    officer = _as(seeded, Role.OFFICER)  # office A
    declarations.record_outcome(
        seeded.node, officer, Outcome(declaration_id=a0, illicit=False, officer="officer-1")
    )
    agency = _as(seeded, Role.AGENCY_OFFICER)
    referrals.answer_referral(
        seeded.node, agency, referral_ids["health"], ReferralAnswer(status=ReferralStatus.CLEARED)
    )
    admin = _as(seeded, Role.ADMINISTRATOR)
    view = time_release_view(seeded.node, admin, "channel")
    assert view.until == DAY
    assert view.since == DAY - dt.timedelta(days=89)
    groups = {g.group: g for g in view.groups}
    assert groups["all"].declarations == 6
    assert groups["red"].declarations == 2
    assert groups["red"].released == 1  # a0: inspected, its referral closed; b0 waits
    assert groups["red"].stages["lodged_to_released"].count == 1
    assert groups["unscored"].declarations == 1  # b2
    by_agency = {g.group: g.declarations for g in time_release_view(node, admin, "agency").groups}
    assert by_agency["police"] == 3
    assert set(by_agency) >= {"police", "all"}
    offices = time_release_view(seeded.node, officer, "office")
    assert [g.group for g in offices.groups] == ["OFA", "all"]  # the officer's office only
    assert offices.office_id == "OFA"


def test_aeo_against_non_aeo_follows_the_mras(node: Node) -> None:
    seeded = seed(node)
    admin = _as(seeded, Role.ADMINISTRATOR)
    before = {g.group: g.declarations for g in time_release_view(node, admin, "aeo").groups}
    assert before == {"non-AEO": 6, "all": 6}
    aeo.put_mra(
        node,
        SYSTEM,
        {
            "mra_id": "NATIONAL",
            "title": "national programme",
            "partner": node.settings.node_id,
            "programmes": ["AEOF"],
            "roles": ["importer"],
            "benefits": {"risk_weight": 0.5},
        },
    )
    init_node(node, SYSTEM)
    status = {"trader_id": "IMP-1", "country": "KR", "programme": "AEOF", "status": "granted"}
    issue_document(node, SYSTEM, "aeo-status", status | {"valid_from": str(DAY)})
    after = {g.group: g.declarations for g in time_release_view(node, admin, "aeo").groups}
    assert after == {"AEO": 2, "non-AEO": 4, "all": 6}  # granted from DAY: one a day per office


def test_the_public_figures_are_per_channel_and_name_nobody(node: Node) -> None:
    seeded = seed(node)
    seed_scores(seeded.node, {seeded.office_a[0]: "green"})
    public = public_release_times(node, DAY)
    text = public.model_dump_json()
    assert "IMP-1" not in text
    assert seeded.office_a[0] not in text
    assert [g.group for g in public.groups] == ["green", "unscored", "all"]
