"""Exercises as data and marking against the planted truth (pure)."""

from __future__ import annotations

import pytest

from borderlink import capacity
from borderlink.errors import InvalidInput
from borderlink.model import ExerciseKind


def test_marking_is_f1_so_naming_everything_does_not_pay() -> None:
    truth = {"D1", "D2", "D3", "D4"}
    exact = capacity.mark(truth, truth, pass_mark=60)
    assert (exact.score, exact.passed, exact.precision, exact.recall) == (100.0, True, 1.0, 1.0)
    half = capacity.mark({"D1", "D2", "X1", "X2"}, truth, pass_mark=60)
    assert (half.correct, half.expected, half.submitted, half.score) == (2, 4, 4, 50.0)
    assert not half.passed
    everything = capacity.mark(truth | {f"X{i}" for i in range(96)}, truth, pass_mark=60)
    assert everything.recall == 1.0
    assert everything.score < 10
    assert capacity.mark(set(), truth, pass_mark=0).score == 0.0


def test_an_answer_is_ids_separated_any_common_way() -> None:
    assert capacity.parse_answer(" D1, D2;D3\nD4  D1 ") == {"D1", "D2", "D3", "D4"}
    with pytest.raises(InvalidInput) as caught:
        capacity.parse_answer("D1 " + "x" * 65)
    assert caught.value.field == "answer"


def test_the_builtin_exercises_cover_undervaluation_and_an_origin_switch_profile() -> None:
    found = {e.name: e for e in capacity.builtin_exercises()}
    assert found["find-undervalued"].kind == ExerciseKind.FLAG
    assert found["find-undervalued"].pattern == "undervaluation"
    profile = found["origin-switch-profile"]
    assert (profile.kind, profile.pattern, profile.certification) == (
        ExerciseKind.PROFILE,
        "origin_switch",
        "risk-analyst",
    )


def test_an_authored_exercise_is_checked_naming_entry_and_field() -> None:
    good = {
        "name": "find-x",
        "title": "Find X",
        "kind": "flag-declarations",
        "pattern": "undervaluation",
        "instructions": "find them",
    }
    assert capacity.parse_exercises({"exercises": [good]})[0].course_name == "exercise.find-x"
    with pytest.raises(InvalidInput) as caught:
        capacity.parse_exercises([good, good | {"name": "b", "kind": "guess"}])
    assert "exercise #2 ('b')" in caught.value.detail
    assert caught.value.field == "kind"
    with pytest.raises(InvalidInput, match="same name"):
        capacity.parse_exercises([good, good])
