"""Referrals to other agencies over the store, on SQLite and PostgreSQL: rules, routing (twice
changes nothing), need-to-know scoping, answers, clearance times and the audit trail."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from sqlalchemy import func, select

from borderlink import risk
from borderlink.coordination import AgencyRule
from borderlink.errors import Conflict, ExpressionError, NotFound, PermissionDenied
from borderlink.model import ReferralAnswer, ReferralStatus
from borderlink.services import Node
from borderlink.services.accounts.access import Principal, Role
from borderlink.services.coordination import agency_rules, referrals, routing
from borderlink.services.ingest.submission import submit_declarations
from borderlink.services.risk import models
from borderlink.services.risk import score as risk_service
from borderlink.services.risk.score import SCORER
from borderlink.store.coordination_tables import referrals as referrals_table
from borderlink.store.tables import audit_log
from tests.risk import synthetic
from tests.surfaces import OFFICE_A, OFFICE_B, seed_declarations

OPS = Principal.system("test")  # acts for the node in the tests

# The seeded declarations: three per office, each with two items of HS 851762 from CN.
RULES = [
    AgencyRule(name="office-a", agency="health", condition=f'office == "{OFFICE_A}"', reason="A"),
    AgencyRule(name="office-b", agency="police", condition=f'office == "{OFFICE_B}"', reason="B"),
    AgencyRule(
        name="phones",
        agency="health",
        condition=f'hs.chapter == "85" and office == "{OFFICE_A}"',
        reason="phones",
    ),
]


def who(role: Role, **extra: Any) -> Principal:
    return Principal(user_id=1, username=f"{role.value}-x", role=role, **extra)


HEALTH = who(Role.AGENCY_OFFICER, agency="health")
POLICE = who(Role.AGENCY_OFFICER, agency="police")
ANALYST = who(Role.RISK_ANALYST)
ADMIN = who(Role.ADMINISTRATOR)


def actions(node: Node, prefix: str) -> list[tuple[str, str | None, str | None]]:
    with node.engine.connect() as conn:
        rows = conn.execute(
            select(audit_log.c.action, audit_log.c.object_id, audit_log.c.reason)
            .where(audit_log.c.action.startswith(prefix))
            .order_by(audit_log.c.entry_id)
        ).all()
    return [tuple(r) for r in rows]


def stored(node: Node) -> int:
    with node.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(referrals_table)).scalar_one())


@pytest.fixture
def routed(node: Node) -> tuple[list[str], list[str]]:
    ids = seed_declarations(node)
    agency_rules.save_rules(node, Principal.system("analyst"), RULES)
    summary = routing.route_declarations(node, Principal.system("analyst"))
    assert (summary.declarations, summary.referred) == (6, 6)
    assert summary.agencies == {"health": 3, "police": 3}
    return ids


def ref_id(node: Node, declaration_id: str, agency: str) -> int:
    with node.engine.connect() as conn:
        return int(
            conn.execute(
                select(referrals_table.c.referral_id).where(
                    referrals_table.c.declaration_id == declaration_id,
                    referrals_table.c.agency == agency,
                )
            ).scalar_one()
        )


def test_loading_rules_twice_changes_nothing_and_a_change_replaces_by_name(
    node: Node, tmp_path: Path
) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text(
        "- name: fish\n  agency: health\n  condition: hs.chapter == '03'\n  reason: fish\n"
    )
    assert [c.change for c in agency_rules.load_rules_file(node, Principal.system("a"), path)] == [
        "added"
    ]
    assert [c.change for c in agency_rules.load_rules_file(node, Principal.system("a"), path)] == [
        "unchanged"
    ]
    path.write_text(path.read_text() + "  active: false\n")
    assert [c.change for c in agency_rules.load_rules_file(node, Principal.system("b"), path)] == [
        "changed"
    ]
    (view,) = agency_rules.list_rules(node, OPS)
    assert (view.rule.active, view.updated_by) == (False, "b")
    assert agency_rules.active_rules(node) == []
    assert [a for a, _, _ in actions(node, "agency_rule.")] == [
        "agency_rule.add",
        "agency_rule.change",
    ]
    path.write_text("- name: fish\n  agency: health\n  condition: hs.chapter = '03'\n  reason: x\n")
    with pytest.raises(ExpressionError, match="rule #1 \\('fish'\\)"):
        agency_rules.load_rules_file(node, OPS, path)
    assert agency_rules.list_rules(node, OPS)[0].rule.condition == "hs.chapter == '03'"


def test_routing_twice_refers_nothing_twice_and_a_new_rule_adds_only_its_agency(
    node: Node, routed: tuple[list[str], list[str]]
) -> None:
    office_a, _ = routed
    again = routing.route_declarations(node, Principal.system("analyst"))
    assert (again.referred, again.already) == (0, 6)
    assert stored(node) == 6
    (first,) = referrals.list_referrals(
        node, ANALYST, referrals.ReferralFilter(declaration_id=office_a[0])
    ).items
    assert first.rules == ["office-a", "phones"]  # both health rules, sorted, reasons aligned
    assert first.reasons == ["A", "phones"]
    assert first.status is ReferralStatus.OPEN
    agency_rules.save_rules(
        node,
        OPS,
        [AgencyRule(name="cn", agency="standards", condition='origin == "CN"', reason="CN")],
    )
    later = routing.route_declarations(node, OPS, since=dt.date(2026, 11, 20))
    assert later.agencies == {"standards": 2}  # the two declarations of the 20th
    assert stored(node) == 8
    created = actions(node, "referral.create")
    assert len(created) == 8
    assert (office_a[0], "referred to health: A; phones") in [(o, r) for _, o, r in created]
    assert [a for a, _, _ in actions(node, "referral.route")] == ["referral.route"] * 3


def test_an_agency_officer_sees_and_answers_only_their_agency(
    node: Node, routed: tuple[list[str], list[str]]
) -> None:
    _office_a, office_b = routed
    seen = referrals.list_referrals(node, HEALTH)
    assert seen.total == 3
    assert {r.agency for r in seen.items} == {"health"}
    police_ref = ref_id(node, office_b[0], "police")
    with pytest.raises(NotFound, match=f"no referral {police_ref}"):
        referrals.get_referral(node, HEALTH, police_ref)
    with pytest.raises(NotFound):
        referrals.answer_referral(
            node, HEALTH, police_ref, ReferralAnswer(status=ReferralStatus.CLEARED)
        )
    assert (
        referrals.list_referrals(node, HEALTH, referrals.ReferralFilter(agency="police")).total == 0
    )
    nobody = who(Role.AGENCY_OFFICER)  # an agency officer without an agency sees nothing
    assert referrals.list_referrals(node, nobody).total == 0
    assert referrals.list_referrals(node, ANALYST).total == 6
    officer = who(Role.OFFICER, office_id=OFFICE_A)
    assert {r.office_id for r in referrals.list_referrals(node, officer).items} == {OFFICE_A}
    with pytest.raises(NotFound):
        referrals.get_referral(node, officer, police_ref)
    for outsider in (ADMIN, ANALYST, officer, who(Role.AUDITOR)):
        with pytest.raises(PermissionDenied):
            referrals.answer_referral(
                node, outsider, police_ref, ReferralAnswer(status=ReferralStatus.CLEARED)
            )
    with pytest.raises(PermissionDenied):
        referrals.list_referrals(node, who(Role.LIAISON_OFFICER))


def test_the_detail_shows_goods_and_party_identities_only_to_nominal_readers(
    node: Node, routed: tuple[list[str], list[str]]
) -> None:
    office_a, _ = routed
    health_ref = ref_id(node, office_a[0], "health")
    agency_view = referrals.get_referral(node, HEALTH, health_ref)
    assert agency_view.importer_id == "[redacted]"
    assert agency_view.redacted
    assert [g.hs_code for g in agency_view.goods] == ["851762", "851762"]
    assert actions(node, "referral.read") == []  # nothing nominal shown: nothing to record
    analyst_view = referrals.get_referral(node, ANALYST, health_ref)
    assert analyst_view.importer_id == "IMP-1"
    assert actions(node, "referral.read") == [
        ("referral.read", str(health_ref), "shown with nominal data")
    ]


def test_answers_follow_the_lifecycle_with_times_and_history(
    node: Node, routed: tuple[list[str], list[str]]
) -> None:
    office_a, _ = routed
    health_ref = ref_id(node, office_a[0], "health")

    def answer(status: ReferralStatus, finding: str | None = None) -> referrals.ReferralView:
        given = ReferralAnswer(status=status, finding=finding)
        return referrals.answer_referral(node, HEALTH, health_ref, given)

    seen = answer(ReferralStatus.ACKNOWLEDGED)
    assert seen.acknowledged_at is not None
    assert seen.answered_at is None
    held = answer(ReferralStatus.HELD, "sample sent to the laboratory")
    assert held.answered_at is not None
    assert held.closed_at is None
    assert held.answered_by == HEALTH.username
    assert answer(ReferralStatus.HELD) == held  # a repeat changes nothing
    cleared = answer(ReferralStatus.CLEARED, "laboratory: no residues")
    assert cleared.closed_at is not None
    assert cleared.answered_at == held.answered_at  # the first decision stays the answer time
    assert cleared.acknowledged_at == seen.acknowledged_at
    with pytest.raises(Conflict, match=f"referral {health_ref} is cleared"):
        answer(ReferralStatus.REJECTED)
    history = [(o, r) for _, o, r in actions(node, "referral.answer")]
    assert history == [
        (office_a[0], "health acknowledged"),
        (office_a[0], "health held: sample sent to the laboratory"),
        (office_a[0], "health cleared: laboratory: no residues"),
    ]
    times = {t.agency: t for t in referrals.clearance(node, ANALYST)}
    assert times["health"].answered == 1
    assert times["health"].pending == 2
    assert times["police"].pending == 3
    assert times["police"].answer_p50_hours is None
    assert times["all agencies"].referrals == 6
    assert times["health"].answer_p50_hours is not None
    assert [t.agency for t in referrals.clearance(node, HEALTH)] == ["health", "all agencies"]


def test_scoring_a_batch_refers_the_flow_when_rules_are_active(node: Node) -> None:
    history = synthetic.declarations(800, seed=11, start=dt.date(2020, 1, 1), days=90)
    synthetic.store(node.engine, history)
    models.train(
        node,
        Principal.system("t"),
        config=risk.ModelConfig(rounds=20, threads=1, validation_months=1),
    )
    new = synthetic.declarations(200, seed=12, start=dt.date(2020, 5, 4), days=2)
    synthetic.store(node.engine, new, with_outcomes=False)
    agency_rules.save_rules(
        node,
        OPS,
        [AgencyRule(name="wood", agency="environment", condition="hs2 == '44'", reason="w")],
    )
    summary = risk_service.score_batch(
        node, Principal.system("scorer"), since=dt.date(2020, 5, 1), seed=1
    )
    wood = new.filter(new["hs_code"].str.starts_with("44"))["declaration_id"].to_list()
    assert summary.referred == {"environment": len(wood)}
    assert wood
    found = referrals.list_referrals(node, ANALYST, limit=500)
    assert sorted(r.declaration_id for r in found.items) == sorted(wood)
    assert {r.created_by for r in found.items} == {"scorer"}
    one = risk_service.score_one(node, SCORER, wood[0])  # scored again: not referred twice
    assert one["referred"] == []
    assert stored(node) == len(wood)
    timber = pl.lit("440890")
    arriving = synthetic.declarations(1, seed=13, start=dt.date(2020, 5, 6), days=1).with_columns(
        timber.alias("hs_code"), timber.alias("hs_code_current")
    )
    synthetic.store(node.engine, arriving, with_outcomes=False)
    arrived = risk_service.score_one(node, SCORER, arriving["declaration_id"][0])
    assert arrived["referred"] == ["environment"]  # on arrival, by the scoring itself
    assert stored(node) == len(wood) + 1


def test_submitted_declarations_are_referred_on_arrival(node: Node) -> None:
    agency_rules.save_rules(node, OPS, RULES)
    sent = [
        {"id": "S-1", "date": "2026-11-20", "office": OFFICE_B, "items": [{"hs_code": "851713"}]},
        {"id": "S-2", "date": "2026-11-20", "office": OFFICE_A, "items": [{"hs_code": "940350"}]},
        {"id": "S-3", "date": "2026-11-20", "office": "OFC", "items": [{"hs_code": "940350"}]},
    ]
    done = submit_declarations(node, ADMIN, sent)
    assert done.summary.accepted == 3
    assert done.referred == {"health": 1, "police": 1}  # S-1: office B; S-2: office A
    assert submit_declarations(node, ADMIN, sent).referred == {}
