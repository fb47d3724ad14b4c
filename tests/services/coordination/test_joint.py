"""Joint inspections over the store, on SQLite and PostgreSQL: planned for a red, referred
declaration only; planning twice changes nothing; each agency's part is its own record; the
declaration is released when every part is done; the saving against separate inspections."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select, update

from borderlink.coordination import JointPlan, JointStatus
from borderlink.errors import Conflict, InvalidInput, NotFound
from borderlink.model import Outcome, ReferralAnswer, ReferralStatus
from borderlink.services import Node
from borderlink.services.accounts.access import Principal, Role
from borderlink.services.coordination import joint, referrals
from borderlink.services.declarations.read import record_outcome
from borderlink.store.coordination_tables import referrals as referrals_table
from borderlink.store.tables import audit_log, outcomes
from tests.surfaces import AGENCY, OFFICE_A, OFFICE_B, seed, seed_referrals, seed_scores

OFFICER = Principal(user_id=1, username="officer-1", role=Role.OFFICER, office_id=OFFICE_A)
OTHER_OFFICE = Principal(user_id=2, username="officer-b", role=Role.OFFICER, office_id=OFFICE_B)
HEALTH = Principal(user_id=3, username="agency_officer-1", role=Role.AGENCY_OFFICER, agency=AGENCY)
POLICE = Principal(user_id=4, username="police-1", role=Role.AGENCY_OFFICER, agency="police")
WHEN = dt.datetime(2026, 12, 2, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def red(node: Node) -> tuple[Node, str, int]:
    """Office A's first declaration: red, referred to health; its referral id."""
    seeded = seed(node)
    ids = seed_referrals(seeded)
    declaration_id = seeded.office_a[0]
    seed_scores(seeded.node, {declaration_id: "red", seeded.office_a[2]: "green"})
    return seeded.node, declaration_id, ids["health"]


def plan(**extra: object) -> JointPlan:
    values: dict[str, object] = {"scheduled_at": WHEN, "place": "bay 3", "agencies": [AGENCY]}
    return JointPlan.model_validate(values | extra)


def test_planning_twice_changes_nothing_and_the_parts_are_the_agencies_own_records(
    red: tuple[Node, str, int],
) -> None:
    node, declaration_id, referral_id = red
    first = joint.plan_joint(node, OFFICER, declaration_id, plan())
    again = joint.plan_joint(node, OFFICER, declaration_id, plan())
    assert again == first
    assert first.status is JointStatus.PLANNED
    assert [(p.agency, p.done) for p in first.parts] == [("customs", False), (AGENCY, False)]
    assert first.parts[1].referral_id == referral_id
    with node.engine.connect() as conn:
        planned = conn.execute(
            select(audit_log.c.action).where(audit_log.c.action.startswith("joint."))
        ).all()
    assert [a for (a,) in planned] == ["joint.plan"]

    record_outcome(node, OFFICER, Outcome(declaration_id=declaration_id, illicit=False))
    half = joint.get_joint(node, HEALTH, first.joint_id)
    assert half.status is JointStatus.IN_PROGRESS
    assert not half.released
    assert half.saving.saved_seconds is None  # nothing is measured before every part is done

    referrals.answer_referral(
        node, HEALTH, referral_id, ReferralAnswer(status=ReferralStatus.HELD, finding="sample")
    )
    assert joint.get_joint(node, OFFICER, first.joint_id).status is JointStatus.IN_PROGRESS
    referrals.answer_referral(
        node, HEALTH, referral_id, ReferralAnswer(status=ReferralStatus.CLEARED, finding="ok")
    )
    done = joint.get_joint(node, OFFICER, first.joint_id)
    assert done.status is JointStatus.DONE
    assert done.released
    assert done.parts[1].finding == "ok"
    assert done.parts[1].by == "agency_officer-1"
    with pytest.raises(Conflict, match="parts done"):
        joint.plan_joint(node, OFFICER, declaration_id, plan(place="bay 4"))


def test_the_saving_is_the_sum_of_the_parts_less_the_slowest(red: tuple[Node, str, int]) -> None:
    node, declaration_id, referral_id = red
    made = joint.plan_joint(node, OFFICER, declaration_id, plan())
    record_outcome(node, OFFICER, Outcome(declaration_id=declaration_id, illicit=False))
    referrals.answer_referral(
        node, HEALTH, referral_id, ReferralAnswer(status=ReferralStatus.CLEARED)
    )
    with node.engine.begin() as conn:  # customs done after 1 h, health after 2 h
        conn.execute(
            update(outcomes)
            .where(outcomes.c.declaration_id == declaration_id)
            .values(recorded_at=WHEN + dt.timedelta(hours=1))
        )
        conn.execute(
            update(referrals_table)
            .where(referrals_table.c.referral_id == referral_id)
            .values(closed_at=WHEN + dt.timedelta(hours=2))
        )
    saving = joint.get_joint(node, OFFICER, made.joint_id).saving
    assert (saving.joint_seconds, saving.separate_seconds, saving.saved_seconds) == (
        7200.0,
        10800.0,
        3600.0,
    )
    total = joint.summary(node, OFFICER)
    assert (total.planned, total.done, total.saved_hours) == (1, 1, 1.0)
    assert (total.joint_p50_hours, total.separate_p50_hours) == (2.0, 3.0)


def test_only_a_red_referred_declaration_is_planned_naming_the_field(
    red: tuple[Node, str, int],
) -> None:
    node, declaration_id, _ = red
    green = declaration_id.replace("-0", "-2")
    with pytest.raises(Conflict, match=f"declaration {green} is green") as error:
        joint.plan_joint(node, OFFICER, green, plan())
    assert error.value.field == "declaration_id"
    with pytest.raises(InvalidInput, match="not referred to police") as refused:
        joint.plan_joint(node, OFFICER, declaration_id, plan(agencies=[AGENCY, "police"]))
    assert refused.value.field == "agencies"
    with pytest.raises(NotFound):  # another office's declaration does not exist for them
        joint.plan_joint(node, OTHER_OFFICE, declaration_id, plan())
    with pytest.raises(ValueError, match="zone"):
        JointPlan(scheduled_at=WHEN.replace(tzinfo=None), place="x", agencies=(AGENCY,))


def test_need_to_know_an_agency_sees_only_what_it_is_invited_to(
    red: tuple[Node, str, int],
) -> None:
    node, declaration_id, _ = red
    made = joint.plan_joint(node, OFFICER, declaration_id, plan())
    assert joint.list_joint(node, HEALTH).total == 1
    assert joint.list_joint(node, POLICE).total == 0
    assert joint.list_joint(node, OTHER_OFFICE).total == 0
    with pytest.raises(NotFound):
        joint.get_joint(node, POLICE, made.joint_id)
    assert joint.joint_for(node, POLICE, declaration_id) is None
    cancelled = joint.cancel_joint(node, OFFICER, made.joint_id, "consignment moved")
    assert cancelled.status is JointStatus.CANCELLED
    assert joint.cancel_joint(node, OFFICER, made.joint_id, "again") == cancelled
    assert joint.summary(node, OFFICER).planned == 0
