"""The targeting queue: red and yellow declarations with their reasons, one click to record."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from pydantic import ValidationError
from starlette.responses import Response

from borderlink.errors import InvalidInput
from borderlink.server.deps import NodeDep, blocking
from borderlink.server.pages import risk_models
from borderlink.server.pages.common import checked_form, page_allowed, redirect, render
from borderlink.server.pages.i18n import N_
from borderlink.server.pages.registry import Area, NavEntry
from borderlink.services.accounts.access import Permission, Principal
from borderlink.services.risk import Profile, models, profiles, targeting

router = APIRouter(include_in_schema=False)
router.include_router(risk_models.router)  # the models page belongs to this area


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


def _number(text: str | None) -> float:
    try:
        return float(text or 0)
    except ValueError:
        raise InvalidInput("weight: not a number", field="weight") from None


def _pointer(text: str, position: int) -> dict[str, Any]:
    """The line the analyst typed with the place it went wrong (1-based line and column)."""
    before = text[:position]
    line = before.count("\n")
    column = position - (before.rfind("\n") + 1)
    lines = text.split("\n")
    shown = lines[line] if line < len(lines) else ""
    return {"line": line + 1, "column": column + 1, "text": shown, "pad": " " * column}


def _form_profile(form: dict[str, str], owner: str) -> Profile:
    try:
        return Profile(
            name=form.get("name", ""),
            expression=form.get("expression", ""),
            weight=_number(form.get("weight")),
            channel=form.get("channel") or None,
            reason=form.get("reason", ""),
            valid_from=form.get("valid_from") or None,
            valid_to=form.get("valid_to") or None,
            enabled=form.get("enabled", "yes") != "no",
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
        pointer=None,
        broad_share=profiles.BROAD_SHARE,
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
    replay, problem, pointer = None, None, None
    try:
        profile = _form_profile(form, who.username)
        if form.get("action") == "save":
            saved = await blocking(profiles.save_profile, node, who, profile)
            return redirect(f"/profiles/{quote(saved.name)}")
        replay = await blocking(profiles.replay_profile, node, who, profile)
    except InvalidInput as error:
        position = getattr(error, "position", None)
        problem = error.detail
        if position is not None:
            pointer = _pointer(form.get("expression", ""), position)
    return render(
        request,
        "profiles.html",
        status_code=200 if problem is None else 400,
        profiles=await blocking(profiles.list_profiles, node, who),
        models=await blocking(models.list_models, node, who),
        form=form,
        replay=replay,
        problem=problem,
        pointer=pointer,
        broad_share=profiles.BROAD_SHARE,
        can_edit=True,
    )


@router.get("/profiles/{name}")
async def profile_page(
    request: Request,
    node: NodeDep,
    name: str,
    who: Annotated[Principal, page_allowed(Permission.PROFILES_READ)],
) -> HTMLResponse:
    """One profile: its versions, newest first, and (for who may change it) the edit form
    prefilled with the current version; saving it stores a new version."""
    history = await blocking(profiles.profile_history, node, who, name)
    current = history[0].profile
    form = {
        key: "" if value is None else str(value)
        for key, value in current.model_dump(
            include={"name", "expression", "weight", "channel", "reason", "valid_from", "valid_to"}
        ).items()
    }
    form["enabled"] = "yes" if current.enabled else "no"
    return render(
        request,
        "profile.html",
        profile=current,
        history=history,
        form=form,
        can_edit=who.can(Permission.PROFILES_MANAGE),
    )


@router.post("/profiles/{name}/state")
async def profile_state(
    request: Request,
    node: NodeDep,
    name: str,
    who: Annotated[Principal, page_allowed(Permission.PROFILES_MANAGE)],
) -> Response:
    form = await checked_form(request)
    change = profiles.enable_profile if form.get("action") == "enable" else profiles.disable_profile
    await blocking(change, node, who, name)
    return redirect(f"/profiles/{quote(name)}")


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
