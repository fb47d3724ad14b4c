"""Joint operations (closed user groups): the operation, shared with its participants only, and
each participant's daily results.

:class:`Operation` is the coordinator's record: participants, the agreements it runs under, its
period, the risk profiles each participant's scoring applies while it runs (:class:`SharedProfile`),
its targets and the results it asks for. :class:`OperationReport` is one participant's results for
one day, shared with every participant.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from borderlink.model.records_base import NOMINAL, Category, RecordBase


class OperationState(StrEnum):
    PLANNED = "planned"
    ACTIVE = "active"
    ENDED = "ended"
    CANCELLED = "cancelled"


class SharedProfile(BaseModel):
    """A risk profile every participant's scoring applies while the operation runs (the
    expression language of ``borderlink.risk``; each node checks it compiles)."""

    model_config = ConfigDict(frozen=True)

    name: str = Field(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9_-]+$")
    expression: str = Field(min_length=1, max_length=4000)
    weight: float = Field(default=0.0, ge=0.0, le=1.0)
    channel: Literal["yellow", "red"] | None = None
    reason: str = Field(min_length=1, max_length=500)


RESULTS = ("seizures", "quantity", "value", "arrests", "referrals")


class Operation(RecordBase):
    """A joint operation: who takes part, under which agreements, for how long, looking for what."""

    kind: Literal["operation"] = "operation"
    code: str = Field(
        min_length=1, max_length=16, pattern=r"^[A-Za-z0-9_-]+$", description="Short name"
    )
    name: str = Field(min_length=1, max_length=200)
    purpose: str = Field(min_length=1, max_length=4000)
    agreement_ids: tuple[str, ...] = Field(min_length=1, description="The legal basis")
    participants: tuple[str, ...] = Field(min_length=2, description="Node ids, coordinator too")
    agencies: tuple[str, ...] = ()
    starts_on: dt.date
    ends_on: dt.date
    state: OperationState = OperationState.PLANNED
    profiles: tuple[SharedProfile, ...] = ()
    target_declarations: tuple[str, ...] = ()
    target_containers: tuple[str, ...] = ()
    target_traders: Annotated[tuple[str, ...], Field(json_schema_extra=NOMINAL)] = ()
    results_template: tuple[str, ...] = RESULTS

    @property
    def category(self) -> Category:
        return Category.OPERATION

    @property
    def audience(self) -> tuple[str, ...]:
        return self.participants

    @model_validator(mode="after")
    def _consistent(self) -> Operation:
        if self.ends_on < self.starts_on:
            raise ValueError("ends_on must not be before starts_on")
        if self.issuer not in self.participants:
            raise ValueError("the coordinator (issuer) takes part")
        if len(set(self.participants)) != len(self.participants):
            raise ValueError("participants must be distinct")
        if len({p.name for p in self.profiles}) != len(self.profiles):
            raise ValueError("shared profiles must have distinct names")
        return self


class OperationReport(RecordBase):
    """A participant's results for one day of an operation (one record per participant and day;
    a correction is a later version)."""

    kind: Literal["operation-report"] = "operation-report"
    operation_id: str = Field(min_length=1, max_length=128)
    participants: tuple[str, ...] = Field(min_length=2, description="The operation's")
    agreement_ids: tuple[str, ...] = Field(min_length=1, description="The operation's")
    day: dt.date
    declarations_checked: int = Field(default=0, ge=0)
    profile_hits: dict[str, int] = Field(
        default_factory=dict, description="Declarations each shared profile flagged"
    )
    inspected: int = Field(default=0, ge=0)
    seizures: int = Field(default=0, ge=0)
    quantity: float = Field(default=0.0, ge=0)
    quantity_unit: str | None = Field(default=None, max_length=8)
    value: float = Field(default=0.0, ge=0)
    arrests: int = Field(default=0, ge=0)
    referrals: int = Field(default=0, ge=0)
    hs_chapters: dict[str, int] = Field(default_factory=dict, description="Seizures by chapter")
    routes: dict[str, int] = Field(default_factory=dict, description="Seizures by departure")
    notes: str | None = Field(default=None, max_length=4000)

    @property
    def category(self) -> Category:
        return Category.OPERATION_REPORT

    @property
    def audience(self) -> tuple[str, ...]:
        return self.participants
