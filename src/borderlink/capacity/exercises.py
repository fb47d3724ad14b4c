"""Training exercises authored as data, and the marking of an attempt against the planted truth.

An exercise names a planted pattern of the sandbox's synthetic data (``undervaluation``,
``origin_switch``, ...). A trainee answers with declarations (``flag-declarations``) or with a
profile expression whose matches are the answer (``write-profile``); either way the answer is a
set of declaration ids, marked by precision and recall against the declarations that carry the
pattern in the exercise's window. The score is the F1 measure x 100: naming every declaration
is no better than naming none.
"""

from __future__ import annotations

import re
from collections.abc import Set
from importlib import resources
from typing import Any

import yaml
from pydantic import ValidationError

from borderlink.errors import InvalidInput
from borderlink.model.capacity import Exercise, ExerciseScore

MAX_ANSWER = 10_000  # declaration ids in one answer
_SEPARATORS = re.compile(r"[\s,;]+")


def parse_exercises(data: Any) -> list[Exercise]:
    """Exercises from parsed YAML/JSON: a list, or ``{"exercises": [...]}``; an error names the
    exercise and the field."""
    if isinstance(data, dict) and "exercises" in data:
        data = data["exercises"]
    if not isinstance(data, list):
        raise InvalidInput("exercises are a list of mappings")
    out: list[Exercise] = []
    for i, item in enumerate(data):
        if not isinstance(item, dict):
            raise InvalidInput(f"exercise #{i + 1} is not a mapping")
        try:
            out.append(Exercise(**item))
        except ValidationError as error:
            first = error.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or None
            raise InvalidInput(
                f"exercise #{i + 1} ({item.get('name')!r}): {first['msg']}", field=where
            ) from None
    names = [e.name for e in out]
    if len(set(names)) != len(names):
        raise InvalidInput("two exercises have the same name", field="name")
    return out


def builtin_exercises() -> list[Exercise]:
    """The exercises shipped with BorderLink (``exercises.yaml``)."""
    text = resources.files(__package__).joinpath("exercises.yaml").read_text(encoding="utf-8")
    return parse_exercises(yaml.safe_load(text))


def parse_answer(text: str) -> set[str]:
    """Declaration ids from free text: separated by spaces, commas, semicolons or new lines."""
    ids = {part for part in _SEPARATORS.split(text.strip()) if part}
    if len(ids) > MAX_ANSWER:
        raise InvalidInput(f"an answer names at most {MAX_ANSWER} declarations", field="answer")
    too_long = next((i for i in ids if len(i) > 64), None)
    if too_long is not None:
        raise InvalidInput(f"{too_long[:20]}... is not a declaration id", field="answer")
    return ids


def mark(submitted: Set[str], truth: Set[str], *, pass_mark: float) -> ExerciseScore:
    """Precision, recall and F1 x 100 of an answer against the planted truth."""
    correct = len(submitted & truth)
    precision = correct / len(submitted) if submitted else 0.0
    recall = correct / len(truth) if truth else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    score = round(100 * f1, 1)
    return ExerciseScore(
        submitted=len(submitted),
        correct=correct,
        expected=len(truth),
        precision=round(precision, 4),
        recall=round(recall, 4),
        score=score,
        passed=score >= pass_mark,
    )
