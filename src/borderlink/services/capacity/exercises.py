"""Training exercises on a sandbox node: install them with the planted truth, list them, and
mark an attempt into the trainee's training record.

The planted truth (which synthetic declaration carries which pattern) is stored apart from the
declarations (``planted_patterns``) and never shown: an attempt is marked against it and the
trainee sees only the score. Each attempt is kept; the training record of the day for the
exercise's course holds the best attempt of that day (a pass with a certification grants it).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError
from sqlalchemy import ColumnElement, Connection, delete, func, insert, select

from borderlink import capacity, risk
from borderlink.errors import ExpressionError, InvalidInput, NotFound
from borderlink.model.capacity import (
    Exercise,
    ExerciseKind,
    ExerciseScore,
    TrainingRecord,
    TrainingResult,
)
from borderlink.services.accounts import audit
from borderlink.services.accounts.access import Permission, Principal, office_scope, require
from borderlink.services.capacity.training import Recorded, record_on, store_record
from borderlink.services.node import Node
from borderlink.services.risk.profiles import matching_declarations
from borderlink.store.capacity_tables import exercise_attempts, exercises, planted_patterns
from borderlink.store.tables import declarations

MAX_PLANTED = 5_000_000


class ExerciseView(BaseModel):
    exercise: Exercise
    window_from: dt.date
    window_to: dt.date
    declarations: int  # declared in the window: what the trainee looks through


class Attempt(BaseModel):
    exercise: str
    score: ExerciseScore
    record: Recorded


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later (the month's last day when it is shorter)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    last = (dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)).day
    return dt.date(year, month, min(day.day, last))


def _day(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def plant(conn: Connection, planted: Iterable[tuple[str, str, dt.date]]) -> int:
    """Store the planted truth (declaration id, pattern, declared on), replacing any before."""
    rows = [{"declaration_id": d, "pattern": p, "declared_on": on} for d, p, on in planted if p]
    if len(rows) > MAX_PLANTED:
        raise InvalidInput(f"at most {MAX_PLANTED} planted patterns", field="planted")
    conn.execute(delete(planted_patterns))
    if rows:
        conn.execute(insert(planted_patterns), rows)
    return len(rows)


def _install_one(conn: Connection, principal: Principal, exercise: Exercise, last: dt.date) -> None:
    values = {
        "definition": exercise.model_dump(mode="json"),
        "window_from": last - dt.timedelta(days=exercise.window_days - 1),
        "window_to": last,
        "updated_by": principal.username,
        "updated_at": dt.datetime.now(dt.UTC),
    }
    conn.execute(delete(exercises).where(exercises.c.name == exercise.name))
    conn.execute(insert(exercises).values(name=exercise.name, **values))
    audit.record(
        conn,
        actor=principal.username,
        action="exercise.install",
        object_type="exercise",
        object_id=exercise.name,
    )


def install_exercises(
    node: Node,
    principal: Principal,
    authored: list[Exercise],
    planted: Iterable[tuple[str, str, dt.date]] | None = None,
) -> list[ExerciseView]:
    """Install (or replace, by name) exercises over the newest declarations, with the planted
    truth when given (a sandbox being built); a trainer's later file reuses the truth stored."""
    require(principal, Permission.TRAINING_MANAGE)
    with node.transaction() as conn:
        if planted is not None:
            plant(conn, planted)
        last = conn.execute(select(func.max(declarations.c.declared_on))).scalar_one_or_none()
        if last is None:
            raise InvalidInput("exercises need declarations on the node (a training sandbox)")
        known = set(conn.execute(select(planted_patterns.c.pattern).distinct()).scalars())
        for exercise in authored:
            if exercise.pattern not in known:
                raise InvalidInput(
                    f"exercise {exercise.name}: no planted {exercise.pattern!r} on this node "
                    f"(planted: {', '.join(sorted(known)) or 'none'})",
                    field="pattern",
                )
            _install_one(conn, principal, exercise, _day(last))
    return [get_exercise(node, principal, e.name) for e in authored]


def builtin() -> list[Exercise]:
    """The exercises shipped with BorderLink."""
    return capacity.builtin_exercises()


def parse_file(path: Path) -> list[Exercise]:
    """A trainer's exercises from a YAML/JSON file."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise InvalidInput(f"cannot read exercises from {path}: {error}") from None
    return capacity.parse_exercises(data)


def load_exercises_file(node: Node, principal: Principal, path: Path) -> list[ExerciseView]:
    """A trainer's exercises (YAML/JSON) installed over the node's planted truth."""
    return install_exercises(node, principal, parse_file(path))


def _in_sight(principal: Principal, start: dt.date, end: dt.date) -> list[Any]:
    """The declarations of the window the trainee may see (an officer: their office's)."""
    where: list[ColumnElement[bool]] = [declarations.c.declared_on.between(start, end)]
    office = office_scope(principal)
    if office is not None:
        where.append(declarations.c.office_id == office)
    return where


def _view(conn: Connection, principal: Principal, row: Any) -> ExerciseView:
    start, end = _day(row.window_from), _day(row.window_to)
    count = conn.execute(
        select(func.count()).select_from(declarations).where(*_in_sight(principal, start, end))
    ).scalar_one()
    return ExerciseView(
        exercise=Exercise(**row.definition), window_from=start, window_to=end, declarations=count
    )


def list_exercises(node: Node, principal: Principal) -> list[ExerciseView]:
    require(principal, Permission.TRAINING_OWN)
    with node.read() as conn:
        rows = conn.execute(select(exercises).order_by(exercises.c.name)).all()
        return [_view(conn, principal, r) for r in rows]


def get_exercise(node: Node, principal: Principal, name: str) -> ExerciseView:
    require(principal, Permission.TRAINING_OWN)
    with node.read() as conn:
        row = conn.execute(select(exercises).where(exercises.c.name == name)).first()
        if row is None:
            raise NotFound(f"no exercise {name}", field="exercise")
        return _view(conn, principal, row)


def _answer_ids(node: Node, principal: Principal, view: ExerciseView, answer: str) -> set[str]:
    if view.exercise.kind == ExerciseKind.FLAG:
        return capacity.parse_answer(answer)
    try:
        profile = risk.Profile(
            name=f"exercise.{view.exercise.name}",
            expression=answer.strip(),
            weight=1.0,
            reason="training exercise",
        )
    except ExpressionError as error:
        raise ExpressionError(error.detail, position=error.position, field="answer") from None
    except ValidationError as error:
        raise InvalidInput(
            f"not a profile expression: {error.errors()[0]['msg']}", field="answer"
        ) from None
    matched = matching_declarations(node, profile, since=view.window_from, until=view.window_to)
    office = office_scope(principal)
    if office is None:
        return matched
    with node.read() as conn:  # an officer's profile is marked on their office's declarations
        query = select(declarations.c.declaration_id).where(
            *_in_sight(principal, view.window_from, view.window_to)
        )
        return matched & set(conn.execute(query).scalars())


def _truth(conn: Connection, principal: Principal, view: ExerciseView) -> set[str]:
    """The planted declarations of the window within the trainee's sight."""
    query = (
        select(planted_patterns.c.declaration_id)
        .join(declarations, declarations.c.declaration_id == planted_patterns.c.declaration_id)
        .where(
            planted_patterns.c.pattern == view.exercise.pattern,
            *_in_sight(principal, view.window_from, view.window_to),
        )
    )
    return set(conn.execute(query).scalars())


def _record(
    principal: Principal, view: ExerciseView, score: ExerciseScore, day: dt.date
) -> TrainingRecord:
    ex = view.exercise
    passed = score.passed
    grants = ex.certification if passed else None
    expires = add_months(day, ex.valid_months) if grants and ex.valid_months else None
    return TrainingRecord(
        username=principal.username,
        course=ex.course_name,
        title=ex.title,
        started_on=day,
        completed_on=day,
        result=TrainingResult.PASSED if passed else TrainingResult.FAILED,
        score=score.score,
        certification=grants,
        expires_on=expires,
        note=f"exercise {ex.name}: {score.correct} of {score.expected} found, "
        f"{score.submitted} named",
    )


def _best_today(conn: Connection, username: str, name: str, day: dt.date) -> float | None:
    start = dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)
    return conn.execute(
        select(func.max(exercise_attempts.c.score)).where(
            exercise_attempts.c.username == username,
            exercise_attempts.c.exercise == name,
            exercise_attempts.c.attempted_at >= start,
        )
    ).scalar_one_or_none()


def attempt(node: Node, principal: Principal, name: str, answer: str) -> Attempt:
    """Mark an answer (declaration ids, or a profile expression) against the planted truth;
    the attempt is kept and the day's best goes into the trainee's training record."""
    require(principal, Permission.TRAINING_OWN)
    if principal.is_system:
        raise InvalidInput("an exercise is attempted by a person: give --as USER", field="username")
    if not answer.strip():
        raise InvalidInput("the answer is empty", field="answer")
    view = get_exercise(node, principal, name)
    submitted = _answer_ids(node, principal, view, answer)
    now = dt.datetime.now(dt.UTC)
    with node.transaction() as conn:
        score = capacity.mark(
            submitted, _truth(conn, principal, view), pass_mark=view.exercise.pass_mark
        )
        best = _best_today(conn, principal.username, name, now.date())
        conn.execute(
            insert(exercise_attempts).values(
                exercise=name,
                username=principal.username,
                answer=answer[:100_000],
                attempted_at=now,
                **score.model_dump(),
            )
        )
        record = _record(principal, view, score, now.date())
        kept = record_on(conn, record)
        if kept is not None and best is not None and best >= score.score:
            recorded = Recorded(record=kept, change="unchanged")  # the day keeps its best
        else:
            recorded = store_record(conn, principal, record, source=f"exercise:{name}")
    return Attempt(exercise=name, score=score, record=recorded)


class AttemptView(BaseModel):
    attempt_id: int
    exercise: str
    username: str
    score: ExerciseScore
    attempted_at: dt.datetime


def my_attempts(
    node: Node, principal: Principal, name: str, *, limit: int = 20
) -> list[AttemptView]:
    """The principal's own attempts at an exercise, newest first (the answers stay theirs)."""
    require(principal, Permission.TRAINING_OWN)
    fields = list(ExerciseScore.model_fields)
    query = (
        select(exercise_attempts)
        .where(
            exercise_attempts.c.username == principal.username,
            exercise_attempts.c.exercise == name,
        )
        .order_by(exercise_attempts.c.attempt_id.desc())
        .limit(limit)
    )
    with node.read() as conn:
        rows = conn.execute(query).all()
    return [
        AttemptView(
            attempt_id=r.attempt_id,
            exercise=r.exercise,
            username=r.username,
            score=ExerciseScore(**{f: getattr(r, f) for f in fields}),
            attempted_at=r.attempted_at
            if r.attempted_at.tzinfo
            else r.attempted_at.replace(tzinfo=dt.UTC),
        )
        for r in rows
    ]
