"""The training sandbox: built on the demo's data with the planted truth, rebuilt unchanged, and
exercises marked against the truth into the trainee's record (a pass that certifies opens the
gate it certifies for)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import func, select

from borderlink.demo.training import build_sandbox, planted_truth
from borderlink.errors import ExpressionError, InvalidInput, PermissionDenied
from borderlink.model import Exercise, ExerciseKind
from borderlink.risk import Profile
from borderlink.services import open_node
from borderlink.services.accounts.access import Principal, Role
from borderlink.services.capacity import certifications, exercises, training
from borderlink.services.risk.profiles import save_profile
from borderlink.settings import Settings
from borderlink.store.capacity_tables import planted_patterns
from borderlink.store.tables import declarations

ITEMS, SEED = 3_000, 11
TRAINEE = Principal(user_id=1, username="demo-risk_analyst", role=Role.RISK_ANALYST)


@pytest.fixture
def sandbox(tmp_path: Path) -> Settings:
    settings = Settings(environment="test", data_dir=tmp_path, password_hashing="fast")
    box = build_sandbox(settings, items=ITEMS, seed=SEED)
    assert {e.exercise.name for e in box.exercises} == {
        "find-undervalued",
        "origin-switch-profile",
        "find-misclassified",
    }
    assert box.planted["undervaluation"] > 0
    return settings


def _truth(settings: Settings, name: str) -> list[str]:
    node = open_node(settings)
    try:
        view = exercises.get_exercise(node, TRAINEE, name)
        with node.read() as conn:
            return list(
                conn.execute(
                    select(planted_patterns.c.declaration_id).where(
                        planted_patterns.c.pattern == view.exercise.pattern,
                        planted_patterns.c.declared_on.between(view.window_from, view.window_to),
                    )
                ).scalars()
            )
    finally:
        node.engine.dispose()


def test_the_sandbox_is_rebuilt_unchanged(sandbox: Settings) -> None:
    node = open_node(sandbox)
    try:
        with node.read() as conn:
            counts = [
                conn.execute(select(func.count()).select_from(t)).scalar_one()
                for t in (declarations, planted_patterns)
            ]
        build_sandbox(sandbox, items=ITEMS, seed=SEED)
        with node.read() as conn:
            again = [
                conn.execute(select(func.count()).select_from(t)).scalar_one()
                for t in (declarations, planted_patterns)
            ]
        assert counts == again
        assert counts[1] == planted_truth(ITEMS, SEED).height
    finally:
        node.engine.dispose()


def test_an_attempt_is_marked_against_the_planted_truth_into_the_record(sandbox: Settings) -> None:
    truth = _truth(sandbox, "find-undervalued")
    assert truth
    node = open_node(sandbox)
    try:
        half = exercises.attempt(node, TRAINEE, "find-undervalued", " ".join([*truth[:1], "X-1"]))
        assert (half.score.correct, half.score.expected) == (1, len(truth))
        assert not half.score.passed
        full = exercises.attempt(node, TRAINEE, "find-undervalued", ",".join(truth))
        assert (full.score.score, full.score.passed, full.record.change) == (
            100.0,
            True,
            "corrected",
        )
        worse = exercises.attempt(node, TRAINEE, "find-undervalued", "X-2")
        assert worse.record.change == "unchanged"  # the day's record keeps the best attempt
        [record] = training.list_records(node, TRAINEE)
        assert (record.course, record.result.value, record.score) == (
            "targeting-basics",
            "passed",
            100.0,
        )
        assert len(exercises.my_attempts(node, TRAINEE, "find-undervalued")) == 3
        with pytest.raises(InvalidInput):
            exercises.attempt(node, TRAINEE, "find-undervalued", "  ")
        with pytest.raises(ExpressionError) as bad:
            exercises.attempt(node, TRAINEE, "origin-switch-profile", "origin ==")
        assert bad.value.field == "answer"
    finally:
        node.engine.dispose()


def test_passing_a_certifying_exercise_opens_the_gate_it_certifies_for(sandbox: Settings) -> None:
    node = open_node(sandbox)
    system = Principal.system("test")
    try:
        certifications.load_requirements_file(node, system, None)
        red = Profile(name="stop", expression='origin == "CN"', channel="red", reason="test")
        with pytest.raises(PermissionDenied):
            save_profile(node, TRAINEE, red)
        # A trainer's exercise, authored as data: flag the origin switches (a pass certifies).
        authored = Exercise(
            name="spot-switches",
            title="Spot the origin switches",
            kind=ExerciseKind.FLAG,
            pattern="origin_switch",
            instructions="List them.",
            window_days=273,
            certification="risk-analyst",
            valid_months=12,
        )
        exercises.install_exercises(node, system, [authored])
        done = exercises.attempt(
            node, TRAINEE, "spot-switches", " ".join(_truth(sandbox, "spot-switches"))
        )
        assert done.score.passed
        assert done.record.record.expires_on == exercises.add_months(
            dt.datetime.now(dt.UTC).date(), 12
        )
        assert save_profile(node, TRAINEE, red).channel == "red"
        with pytest.raises(InvalidInput) as unknown:
            exercises.install_exercises(
                node, system, [authored.model_copy(update={"pattern": "smuggling"})]
            )
        assert unknown.value.field == "pattern"
    finally:
        node.engine.dispose()


def test_months_are_added_as_calendars_do() -> None:
    assert exercises.add_months(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)
    assert exercises.add_months(dt.date(2026, 11, 15), 14) == dt.date(2028, 1, 15)
