"""Capacity building: officers' training records, the certifications they grant, the node's
certification requirements for actions, and training exercises.

A certification is not a record of its own: it is what a *passed* training record grants, from
the day the course was completed to its expiry (none: for good), unless it was withdrawn. So
"who holds ``nii-image-analysis`` today" and "whose certification expires this month" are read
from the one table of training records, and a renewal is simply a newer passed record.

The node says, as data, which certification an action needs (:class:`Requirement`); the use case
doing the action checks the acting person against it. The actions that can be gated are the
:class:`GatedAction` values.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, model_validator

NAME = r"^[a-z0-9][a-z0-9._-]*$"  # course, certification and exercise names


class TrainingResult(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    ATTENDED = "attended"  # followed, no assessment


class GatedAction(StrEnum):
    """Actions a node may reserve to certified people (see :class:`Requirement`)."""

    NII_RESULT = "nii-result"  # record the result of a non-intrusive (scanner) inspection
    PROFILE_FORCE_RED = "profile-force-red"  # activate a profile that forces the red channel


class InspectionMethod(StrEnum):
    """How an inspection was done (an outcome's ``method``)."""

    DOCUMENTARY = "documentary"
    PHYSICAL = "physical"
    NII = "nii"  # non-intrusive: X-ray or gamma scanner image analysis


class TrainingRecord(BaseModel):
    """One course followed by one officer, with its result and what it certifies."""

    model_config = ConfigDict(frozen=True)

    username: str = Field(min_length=1, max_length=64)
    course: str = Field(min_length=1, max_length=64, pattern=NAME)
    title: str | None = Field(default=None, max_length=200)
    started_on: dt.date | None = None
    completed_on: dt.date
    result: TrainingResult
    score: float | None = Field(default=None, ge=0, le=100)
    certification: str | None = Field(
        default=None, max_length=64, pattern=NAME, description="What passing it certifies"
    )
    expires_on: dt.date | None = Field(
        default=None, description="When the certification lapses (none: never)"
    )
    note: str | None = Field(default=None, max_length=2000)

    @model_validator(mode="after")
    def _dates(self) -> TrainingRecord:
        if self.started_on and self.started_on > self.completed_on:
            raise ValueError("started_on is after completed_on")
        if self.expires_on and self.expires_on < self.completed_on:
            raise ValueError("expires_on is before completed_on")
        if self.expires_on and not self.certification:
            raise ValueError("expires_on needs a certification")
        return self


class Requirement(BaseModel):
    """The node's rule: doing ``action`` needs a certification in force."""

    model_config = ConfigDict(frozen=True)

    action: GatedAction
    certification: str = Field(min_length=1, max_length=64, pattern=NAME)
    reason: str = Field(min_length=1, max_length=500)
    active: bool = True


class ExerciseKind(StrEnum):
    FLAG = "flag-declarations"  # list the declarations showing the planted pattern
    PROFILE = "write-profile"  # write a profile expression that catches the planted pattern


class Exercise(BaseModel):
    """A training exercise, authored as data: what to find, and how it is marked.

    The answer key is the planted truth of the sandbox's synthetic data: the declarations whose
    ``pattern`` is ``pattern``, declared in the last ``window_days`` days of the sandbox.
    """

    model_config = ConfigDict(frozen=True)

    name: str = Field(min_length=1, max_length=64, pattern=NAME)
    title: str = Field(min_length=1, max_length=200)
    kind: ExerciseKind
    pattern: str = Field(min_length=1, max_length=32, description="The planted pattern to find")
    instructions: str = Field(min_length=1, max_length=4000)
    window_days: int = Field(default=14, ge=1, le=366)
    pass_mark: float = Field(default=60.0, ge=0, le=100, description="F1 x 100 to pass")
    course: str | None = Field(
        default=None, max_length=64, pattern=NAME, description="Training record course name"
    )
    certification: str | None = Field(default=None, max_length=64, pattern=NAME)
    valid_months: int | None = Field(default=None, ge=1, le=120)

    @property
    def course_name(self) -> str:
        return self.course or f"exercise.{self.name}"


class ExerciseScore(BaseModel):
    """An attempt marked against the planted truth."""

    model_config = ConfigDict(frozen=True)

    submitted: int = Field(description="Declarations the answer names (or the profile matched)")
    correct: int = Field(description="Of those, declarations with the planted pattern")
    expected: int = Field(description="Declarations with the planted pattern in the window")
    precision: float
    recall: float
    score: float = Field(description="F1 x 100")
    passed: bool
