"""Certifications in force from training records, and requirements as data (pure)."""

from __future__ import annotations

import datetime as dt

import pytest

from borderlink import capacity
from borderlink.errors import InvalidInput
from borderlink.model import GatedAction, TrainingRecord, TrainingResult

DAY = dt.date(2026, 12, 2)


def rec(
    course: str = "nii-2",
    *,
    completed: dt.date = dt.date(2026, 1, 10),
    expires: dt.date | None = dt.date(2027, 1, 10),
    result: TrainingResult = TrainingResult.PASSED,
    who: str = "ana",
    certification: str | None = "nii-image-analysis",
) -> TrainingRecord:
    return TrainingRecord(
        username=who,
        course=course,
        completed_on=completed,
        result=result,
        certification=certification,
        expires_on=expires if certification else None,
    )


def test_a_pass_grants_until_its_expiry_inclusive() -> None:
    [held] = capacity.held([rec()], DAY)
    assert (held.certification, held.since, held.days_left(DAY)) == (
        "nii-image-analysis",
        dt.date(2026, 1, 10),
        39,
    )
    assert capacity.held([rec()], dt.date(2027, 1, 10))
    assert not capacity.held([rec()], dt.date(2027, 1, 11))
    assert not capacity.held([rec()], dt.date(2026, 1, 9))  # not yet completed


def test_a_failed_or_attended_course_grants_nothing() -> None:
    assert not capacity.held([rec(result=TrainingResult.FAILED)], DAY)
    assert not capacity.held([rec(result=TrainingResult.ATTENDED)], DAY)
    assert not capacity.held([rec(certification=None)], DAY)


def test_a_renewal_outlasts_and_takes_it_off_the_expiring_list() -> None:
    old = rec(expires=dt.date(2026, 12, 20))
    assert [h.username for h in capacity.expiring([old], DAY, 30)] == ["ana"]
    assert capacity.expiring([old], DAY, 10) == []
    renewal = rec("nii-2-refresher", completed=dt.date(2026, 11, 30), expires=dt.date(2028, 11, 30))
    [held] = capacity.held([old, renewal], DAY)
    assert held.expires_on == dt.date(2028, 11, 30)
    assert capacity.expiring([old, renewal], DAY, 30) == []


def test_expiring_is_soonest_first_and_never_lapsing_ones_are_not_expiring() -> None:
    records = [
        rec(who="bo", expires=dt.date(2026, 12, 30)),
        rec(who="ana", expires=dt.date(2026, 12, 10)),
        rec(who="cy", expires=None, certification="risk-analyst"),
    ]
    assert [h.username for h in capacity.expiring(records, DAY, 60)] == ["ana", "bo"]
    assert len(capacity.held(records, DAY)) == 3


def test_a_record_is_checked_where_it_is_made() -> None:
    with pytest.raises(ValueError, match="expires_on is before completed_on"):
        rec(expires=dt.date(2025, 1, 1))
    with pytest.raises(ValueError, match="started_on is after completed_on"):
        TrainingRecord(
            username="ana",
            course="x",
            started_on=DAY,
            completed_on=dt.date(2026, 1, 1),
            result=TrainingResult.PASSED,
        )


def test_the_builtin_requirements_gate_nii_results_and_forced_red() -> None:
    found = {r.action: r.certification for r in capacity.builtin_requirements()}
    assert found == {
        GatedAction.NII_RESULT: "nii-image-analysis",
        GatedAction.PROFILE_FORCE_RED: "risk-analyst",
    }


def test_a_bad_requirement_names_its_entry_and_field() -> None:
    with pytest.raises(InvalidInput) as caught:
        capacity.parse_requirements(
            [{"action": "nii-result", "certification": "x", "reason": "r"}, {"action": "fly"}]
        )
    assert "requirement #2 ('fly')" in caught.value.detail
    assert caught.value.field == "action"
