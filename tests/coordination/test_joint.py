"""Joint inspections as pure logic: what may be planned, the status from the parts, the saving."""

from __future__ import annotations

import datetime as dt

import pytest

from borderlink.coordination import CUSTOMS, JointPlan, JointStatus, saving
from borderlink.coordination.joint import Part, check_plan, status_of
from borderlink.errors import Conflict, InvalidInput

START = dt.datetime(2026, 12, 2, 9, 0, tzinfo=dt.UTC)


def part(agency: str, minutes: float | None) -> Part:
    done_at = None if minutes is None else START + dt.timedelta(minutes=minutes)
    return Part(agency=agency, status="x", done=minutes is not None, done_at=done_at)


def test_a_plan_is_for_a_red_declaration_and_agencies_it_is_referred_to() -> None:
    plan = JointPlan(scheduled_at=START, place="bay 1", agencies=("health", "health", CUSTOMS))
    assert plan.agencies == ("health",)  # distinct, sorted, customs always leads anyway
    check_plan("D1", "red", ["health", "police"], plan)
    with pytest.raises(Conflict, match="D1 is yellow, not red"):
        check_plan("D1", "yellow", ["health"], plan)
    with pytest.raises(Conflict, match="not scored"):
        check_plan("D1", None, ["health"], plan)
    with pytest.raises(InvalidInput, match=r"not referred to health \(referred to: none\)"):
        check_plan("D1", "red", [], plan)
    with pytest.raises(ValueError, match="zone"):
        JointPlan(scheduled_at=START.replace(tzinfo=None), place="x", agencies=("health",))
    with pytest.raises(ValueError, match="not an agency"):
        JointPlan(scheduled_at=START, place="x", agencies=("no spaces",))
    later = JointPlan(
        scheduled_at=dt.datetime(2026, 12, 2, 10, tzinfo=dt.timezone(dt.timedelta(hours=1))),
        place="x",
        agencies=("health",),
    )
    assert later.scheduled_at == START  # held in UTC


def test_the_status_follows_the_parts() -> None:
    assert status_of(False, [part(CUSTOMS, None), part("health", None)]) is JointStatus.PLANNED
    assert status_of(False, [part(CUSTOMS, 5), part("health", None)]) is JointStatus.IN_PROGRESS
    assert status_of(False, [part(CUSTOMS, 5), part("health", 9)]) is JointStatus.DONE
    assert status_of(True, [part(CUSTOMS, 5)]) is JointStatus.CANCELLED


def test_the_saving_is_the_sum_of_the_parts_less_the_slowest() -> None:
    assert saving(START, [part(CUSTOMS, 30), part("health", None)]).saved_seconds is None
    done = saving(START, [part(CUSTOMS, 30), part("health", 90), part("police", 60)])
    assert (done.joint_seconds, done.separate_seconds, done.saved_seconds) == (
        5400.0,
        10800.0,
        5400.0,
    )
    early = saving(START, [part(CUSTOMS, -10), part("health", 20)])  # done before: no time
    assert (early.joint_seconds, early.separate_seconds) == (1200.0, 1200.0)
