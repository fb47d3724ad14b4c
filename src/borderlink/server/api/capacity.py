"""``/api/v1/training`` and ``/api/v1/certifications``: training records, certifications, the
node's requirements, and exercises on a training sandbox.

Everyone signed in reads their own record and certifications and takes exercises; administrators
record courses, withdraw certifications, set requirements and read everyone's.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Depends, Path, Query
from pydantic import BaseModel, Field

from borderlink.errors import NotFound
from borderlink.model import Requirement, TrainingRecord
from borderlink.server.deps import NodeDep, allowed, blocking
from borderlink.server.openapi import raises
from borderlink.services.accounts.access import Permission, Principal
from borderlink.services.capacity import certifications, exercises, training

router = APIRouter(prefix="/api/v1", tags=["training"])

Trainee = Annotated[Principal, Depends(allowed(Permission.TRAINING_OWN))]
Manager = Annotated[Principal, Depends(allowed(Permission.TRAINING_MANAGE))]
Username = Annotated[str | None, Query(min_length=1, max_length=64, description="Whose")]
ExerciseName = Annotated[str, Path(min_length=1, max_length=64)]
MAX_REQUIREMENTS = 100


class Withdrawal(BaseModel):
    reason: str = Field(min_length=1, max_length=2000)


class AttemptIn(BaseModel):
    answer: str = Field(
        min_length=1, max_length=100_000, description="Declaration ids, or a profile expression"
    )


@router.get("/training/records")
async def list_records(
    node: NodeDep, principal: Trainee, username: Username = None
) -> list[training.TrainingRecordView]:
    """Training records, newest first: the caller's, or (administrators) anyone's or all."""
    return await blocking(training.list_records, node, principal, username)


@router.post("/training/records", responses=raises(NotFound))
async def record_training(
    body: TrainingRecord, node: NodeDep, principal: Manager
) -> training.Recorded:
    """Record a course an officer followed (idempotent on person, course, completion day)."""
    return await blocking(training.record_training, node, principal, body)


@router.post("/training/records/{record_id}/withdraw", responses=raises(NotFound))
async def withdraw(
    record_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
    body: Withdrawal,
    node: NodeDep,
    principal: Manager,
) -> training.TrainingRecordView:
    """Withdraw the certification a record granted (kept, marked, audited)."""
    return await blocking(training.withdraw, node, principal, record_id, body.reason)


@router.get("/certifications")
async def standing(
    node: NodeDep,
    principal: Trainee,
    username: Username = None,
    within_days: Annotated[int, Query(ge=0, le=3660)] = training.EXPIRING_DAYS,
) -> training.Standing:
    """Certifications in force today and those lapsing within ``within_days``."""
    return await blocking(training.standing, node, principal, username, within_days=within_days)


@router.get("/certifications/requirements")
async def list_requirements(node: NodeDep, principal: Trainee) -> list[Requirement]:
    """Actions the node reserves to certified people."""
    return await blocking(certifications.list_requirements, node, principal)


@router.post("/certifications/requirements")
async def save_requirements(
    body: Annotated[list[Requirement], Body(min_length=1, max_length=MAX_REQUIREMENTS)],
    node: NodeDep,
    principal: Manager,
) -> list[certifications.RequirementChange]:
    """Add requirements or replace them by action (the same set twice changes nothing)."""
    return await blocking(certifications.save_requirements, node, principal, body)


@router.get("/training/exercises")
async def list_exercises(node: NodeDep, principal: Trainee) -> list[exercises.ExerciseView]:
    """The exercises installed on this (training sandbox) node."""
    return await blocking(exercises.list_exercises, node, principal)


@router.get("/training/exercises/{name}", responses=raises(NotFound))
async def get_exercise(
    name: ExerciseName, node: NodeDep, principal: Trainee
) -> exercises.ExerciseView:
    return await blocking(exercises.get_exercise, node, principal, name)


@router.post("/training/exercises/{name}/attempts", responses=raises(NotFound))
async def attempt(
    name: ExerciseName, body: AttemptIn, node: NodeDep, principal: Trainee
) -> exercises.Attempt:
    """Answer an exercise: marked against the planted truth, the day's best into the record."""
    return await blocking(exercises.attempt, node, principal, name, body.answer)
