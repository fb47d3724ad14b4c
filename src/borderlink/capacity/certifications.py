"""Certifications in force, and the node's requirements, from plain data.

A certification is held on a day when a passed training record grants it, was completed on or
before that day, has not expired (``expires_on`` is the last valid day) and was not withdrawn.
Several records may grant the same certification (renewals): the one lasting longest counts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from typing import Any

import yaml
from pydantic import ValidationError

from borderlink.errors import InvalidInput
from borderlink.model.capacity import Requirement, TrainingRecord, TrainingResult


@dataclass(frozen=True)
class Held:
    """A certification a person holds on a day, and until when."""

    username: str
    certification: str
    since: dt.date
    expires_on: dt.date | None
    course: str

    def days_left(self, on: dt.date) -> int | None:
        return None if self.expires_on is None else (self.expires_on - on).days


def _grants(record: TrainingRecord, on: dt.date) -> bool:
    return (
        record.result == TrainingResult.PASSED
        and record.certification is not None
        and record.completed_on <= on
        and (record.expires_on is None or record.expires_on >= on)
    )


def _lasts(item: Held) -> dt.date:
    return item.expires_on or dt.date.max


def held(records: Iterable[TrainingRecord], on: dt.date) -> list[Held]:
    """Per (person, certification), the longest-lasting grant in force on ``on``; sorted by
    person then certification. Withdrawn records must be left out by the caller."""
    best: dict[tuple[str, str], Held] = {}
    for record in records:
        if not _grants(record, on):
            continue
        assert record.certification is not None  # _grants checked it
        item = Held(
            record.username,
            record.certification,
            record.completed_on,
            record.expires_on,
            record.course,
        )
        key = (record.username, record.certification)
        if key not in best or _lasts(item) > _lasts(best[key]):
            best[key] = item
    return [best[k] for k in sorted(best)]


def expiring(records: Iterable[TrainingRecord], on: dt.date, within_days: int) -> list[Held]:
    """Certifications in force on ``on`` that lapse within ``within_days`` days, soonest first
    (a renewal already recorded takes the certification out of the list)."""
    soon = [
        h
        for h in held(records, on)
        if h.expires_on is not None and (h.expires_on - on).days <= within_days
    ]
    return sorted(soon, key=lambda h: (_lasts(h), h.username, h.certification))


def parse_requirements(data: Any) -> list[Requirement]:
    """Requirements from parsed YAML/JSON: a list, or ``{"requirements": [...]}``; an error names
    the entry and the field."""
    if isinstance(data, dict) and "requirements" in data:
        data = data["requirements"]
    if not isinstance(data, list):
        raise InvalidInput("requirements are a list of {action, certification, reason}")
    out = []
    for i, item in enumerate(data):
        if not isinstance(item, dict):
            raise InvalidInput(f"requirement #{i + 1} is not a mapping")
        try:
            out.append(Requirement(**item))
        except ValidationError as error:
            first = error.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or None
            raise InvalidInput(
                f"requirement #{i + 1} ({item.get('action')!r}): {first['msg']}", field=where
            ) from None
    return out


def builtin_requirements() -> list[Requirement]:
    """The example set shipped with BorderLink (``requirements.yaml``)."""
    text = resources.files(__package__).joinpath("requirements.yaml").read_text(encoding="utf-8")
    return parse_requirements(yaml.safe_load(text))
