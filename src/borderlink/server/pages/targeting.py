"""The targeting queue: red and yellow declarations with their reasons, one click to record."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from pydantic import ValidationError
from starlette.responses import Response

from borderlink.errors import InvalidInput
from borderlink.server.deps import NodeDep, blocking
from borderlink.server.pages.common import checked_form, page_allowed, redirect, render
from borderlink.server.pages.i18n import N_
from borderlink.server.pages.registry import Area, NavEntry
from borderlink.services.accounts.access import Permission, Principal
from borderlink.services.risk import Profile, models, profiles, targeting

router = APIRouter(include_in_schema=False)


@router.get("/queue")
async def queue_page(
    request: Request,
    node: NodeDep,
    principal: Annotated[Principal, page_allowed(Permission.DECLARATIONS_READ)],
    day: Annotated[dt.date | None, Query()] = None,
) -> HTMLResponse:
    found = await blocking(targeting.queue, node, principal, day=day, limit=200)
    return render(
        request,
        "queue.html",
        queue=found,
        day=day,
        can_record=principal.can(Permission.OUTCOMES_RECORD),
    )


def _form_profile(form: dict[str, str], owner: str) -> Profile:
    try:
        return Profile(
            name=form.get("name", ""),
            expression=form.get("expression", ""),
            weight=float(form.get("weight") or 0),
            channel=form.get("channel") or None,
            reason=form.get("reason", ""),
            owner=owner,
        )
    except ValidationError as error:
        first = error.errors()[0]
        raise InvalidInput(
            f"{'.'.join(map(str, first['loc']))}: {first['msg']}",
            field=str(first["loc"][0]) if first["loc"] else None,
        ) from None


@router.get("/profiles")
async def profiles_page(
    request: Request,
    node: NodeDep,
    who: Annotated[Principal, page_allowed(Permission.PROFILES_READ)],
) -> HTMLResponse:
    return render(
        request,
        "profiles.html",
        profiles=await blocking(profiles.list_profiles, node, who),
        models=await blocking(models.list_models, node, who),
        form={},
        replay=None,
        problem=None,
        can_edit=who.can(Permission.PROFILES_MANAGE),
    )


@router.post("/profiles")
async def profile_form(
    request: Request,
    node: NodeDep,
    who: Annotated[Principal, page_allowed(Permission.PROFILES_MANAGE)],
) -> Response:
    """ "Check" replays the profile over history (would have hit N, hit rate H%); "Save" stores
    it. An expression that does not parse comes back with where it went wrong."""
    form = await checked_form(request)
    replay, problem = None, None
    try:
        profile = _form_profile(form, who.username)
        if form.get("action") == "save":
            await blocking(profiles.save_profile, node, who, profile)
            return redirect("/profiles")
        replay = await blocking(profiles.replay_profile, node, who, profile)
    except InvalidInput as error:
        position = getattr(error, "position", None)
        problem = error.detail + (f" (at character {position + 1})" if position is not None else "")
    return render(
        request,
        "profiles.html",
        status_code=200 if problem is None else 400,
        profiles=await blocking(profiles.list_profiles, node, who),
        models=await blocking(models.list_models, node, who),
        form=form,
        replay=replay,
        problem=problem,
        can_edit=True,
    )


AREA = Area(
    name="targeting",
    router=router,
    nav=(
        NavEntry("Targeting queue", "/queue", Permission.DECLARATIONS_READ, order=15),
        NavEntry(
            "Profiles & models", "/profiles", Permission.PROFILES_READ, order=30, section=N_("Risk")
        ),
    ),
)
