"""Training: one's certifications (those lapsing soon first), training record and exercises;
for administrators, everyone's certifications lapsing soon. An exercise page takes an answer
and shows its score against the planted truth."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from borderlink.server.deps import NodeDep, blocking
from borderlink.server.pages.common import checked_form, page_allowed, redirect, render
from borderlink.server.pages.i18n import N_
from borderlink.server.pages.registry import Area, NavEntry
from borderlink.services.accounts.access import Permission, Principal
from borderlink.services.capacity import certifications, exercises, training

router = APIRouter(include_in_schema=False)

Trainee = Annotated[Principal, page_allowed(Permission.TRAINING_OWN)]
ExerciseName = Annotated[str, Path(min_length=1, max_length=64)]


@router.get("/training")
async def training_page(request: Request, node: NodeDep, principal: Trainee) -> HTMLResponse:
    manager = principal.can(Permission.TRAINING_MANAGE)
    mine = await blocking(training.standing, node, principal, principal.username)
    everyone = await blocking(training.standing, node, principal) if manager else None
    return render(
        request,
        "training.html",
        mine=mine,
        everyone=everyone,
        records=await blocking(training.list_records, node, principal, principal.username),
        requirements=await blocking(certifications.list_requirements, node, principal),
        exercises=await blocking(exercises.list_exercises, node, principal),
    )


@router.get("/training/exercises/{name}")
async def exercise_page(
    request: Request,
    node: NodeDep,
    principal: Trainee,
    name: ExerciseName,
    scored: Annotated[bool, Query()] = False,
) -> HTMLResponse:
    view = await blocking(exercises.get_exercise, node, principal, name)
    attempts = await blocking(exercises.my_attempts, node, principal, name)
    return render(
        request,
        "exercise.html",
        e=view,
        attempts=attempts,
        latest=attempts[0] if scored and attempts else None,
    )


@router.post("/training/exercises/{name}")
async def answer(
    request: Request, node: NodeDep, principal: Trainee, name: ExerciseName
) -> RedirectResponse:
    form = await checked_form(request)
    await blocking(exercises.attempt, node, principal, name, form.get("answer", ""))
    return redirect(f"/training/exercises/{name}?scored=1")


AREA = Area(
    name="capacity",
    router=router,
    # after every area of work: a home page is the first entry a role may see
    nav=(
        NavEntry(
            "Training", "/training", Permission.TRAINING_OWN, order=95, section=N_("Administration")
        ),
    ),
)
