"""Joint inspections: one coordinated inspection of a consignment instead of one per agency.

When a declaration is red for customs and referred to other agencies, customs plans one
inspection (a time, a place, the agencies invited) and every agency does its part there. Each
part is the agency's own act, recorded the way it always is: customs records its inspection
outcome, each invited agency answers its referral. So the parts are *derived* here from those
records, never kept twice, and the declaration is released when every part is done::

    planned ──► in progress (a part done) ──► done (every part done) ── released
       └──► cancelled (by customs, while nothing is done)

The saving against separate inspections: separately, each agency would unload and inspect on its
own turn, one after the other, so the consignment waits the sum of the parts' durations; jointly
it waits for the slowest part. Both are measured from the planned time, with the actual times at
which each part was recorded.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator

from borderlink.errors import Conflict, InvalidInput

CUSTOMS = "customs"  # customs' own part, always there: it plans and leads the inspection
AGENCY_PATTERN = r"^[A-Za-z0-9_.:-]+$"


class JointStatus(StrEnum):
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    CANCELLED = "cancelled"


class JointPlan(BaseModel):
    """What customs decides when planning: when, where, and which agencies are invited."""

    model_config = ConfigDict(frozen=True)

    scheduled_at: dt.datetime = Field(description="When the inspection takes place (with a zone)")
    place: str = Field(min_length=1, max_length=200, description="Inspection bay, shed, scanner")
    agencies: tuple[str, ...] = Field(
        min_length=1, description="The agencies invited (each must have a referral)"
    )
    note: str | None = Field(default=None, max_length=2000)

    @field_validator("scheduled_at")
    @classmethod
    def _aware(cls, value: dt.datetime) -> dt.datetime:
        if value.tzinfo is None:
            raise ValueError("give the time with its zone (e.g. 2026-12-02T09:30+01:00)")
        return value.astimezone(dt.UTC)

    @field_validator("agencies")
    @classmethod
    def _distinct(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for agency in value:
            if not re.match(AGENCY_PATTERN, agency) or len(agency) > 64:
                raise ValueError(f"{agency!r} is not an agency name")
        return tuple(sorted(set(value) - {CUSTOMS}))


class Part(BaseModel):
    """One agency's part in a joint inspection, as its own records tell it."""

    agency: str
    status: str = Field(description="The referral's status (customs: inspected or waiting)")
    done: bool
    done_at: dt.datetime | None
    finding: str | None = None
    by: str | None = None
    referral_id: int | None = Field(default=None, description="Where the agency answers")


def check_plan(
    declaration_id: str, channel: str | None, referred: Sequence[str], plan: JointPlan
) -> None:
    """A joint inspection is for a red declaration, with agencies it is referred to."""
    if channel != "red":
        raise Conflict(
            f"declaration {declaration_id} is {channel or 'not scored'}, not red: customs does "
            "not inspect it, so there is nothing to coordinate",
            field="declaration_id",
        )
    if not plan.agencies:
        raise InvalidInput(
            f"declaration {declaration_id}: invite at least one agency", field="agencies"
        )
    missing = sorted(set(plan.agencies) - set(referred))
    if missing:
        have = ", ".join(sorted(referred)) or "none"
        raise InvalidInput(
            f"declaration {declaration_id} is not referred to {', '.join(missing)} "
            f"(referred to: {have})",
            field="agencies",
        )


def status_of(cancelled: bool, parts: Sequence[Part]) -> JointStatus:
    if cancelled:
        return JointStatus.CANCELLED
    done = sum(p.done for p in parts)
    if parts and done == len(parts):
        return JointStatus.DONE
    return JointStatus.IN_PROGRESS if done else JointStatus.PLANNED


class Saving(BaseModel):
    """How long the consignment waited jointly, and would have separately (seconds)."""

    joint_seconds: float | None = Field(description="Planned time to the last part done")
    separate_seconds: float | None = Field(description="Sum of the parts' durations")
    saved_seconds: float | None


def saving(scheduled_at: dt.datetime, parts: Sequence[Part]) -> Saving:
    """The saving once every part is done (None before: nothing is measured yet)."""
    if not parts or not all(p.done and p.done_at for p in parts):
        return Saving(joint_seconds=None, separate_seconds=None, saved_seconds=None)
    # a part recorded before the planned time (done early) took no time of the inspection's
    durations = [max(0.0, (p.done_at - scheduled_at).total_seconds()) for p in parts if p.done_at]
    joint, separate = max(durations), sum(durations)
    return Saving(joint_seconds=joint, separate_seconds=separate, saved_seconds=separate - joint)
