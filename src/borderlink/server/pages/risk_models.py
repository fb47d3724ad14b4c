"""The models page: trained models side by side, retrain on the node's outcomes (a background
job, followed on its page), promote one."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from starlette.responses import Response

from borderlink.server.deps import NodeDep, blocking
from borderlink.server.pages.common import checked_form, page_allowed, redirect, render
from borderlink.services.accounts.access import Permission, Principal
from borderlink.services.risk import models

router = APIRouter(include_in_schema=False)

COMPARED = 6  # newest models shown side by side


def _percents(views: list[models.ModelView]) -> list[str]:
    """The capacities (percent of the flow inspected) any compared model was measured at."""
    found: set[str] = set()
    for view in views:
        found.update((view.metrics or {}).get("precision_at", {}) or {})
    return sorted(found, key=float)


@router.get("/models")
async def models_page(
    request: Request,
    node: NodeDep,
    who: Annotated[Principal, page_allowed(Permission.PROFILES_READ)],
) -> HTMLResponse:
    views = (await blocking(models.list_models, node, who))[:COMPARED]
    return render(
        request,
        "models.html",
        models=views,
        percents=_percents(views),
        metric=metric,
        can_manage=who.can(Permission.MODELS_MANAGE),
    )


@router.post("/models/train")
async def retrain(
    request: Request,
    node: NodeDep,
    who: Annotated[Principal, page_allowed(Permission.MODELS_MANAGE)],
) -> Response:
    """Retrain on every stored declaration with an outcome, as a background job: the person
    follows it on its page, which links back here once the new (active) model is recorded."""
    await checked_form(request)
    job_id = await blocking(models.start_training, node, who)
    return redirect(f"/jobs/{job_id}")


@router.post("/models/{version}/promote")
async def promote(
    request: Request,
    node: NodeDep,
    version: str,
    who: Annotated[Principal, page_allowed(Permission.MODELS_MANAGE)],
) -> Response:
    await checked_form(request)
    await blocking(models.promote_model, node, who, version)
    return redirect("/models")


def metric(view: models.ModelView, key: str, percent: str | None = None) -> Any:
    """One figure of a model's validation (None where it was not measured)."""
    value = (view.metrics or {}).get(key)
    if percent is not None:
        value = value.get(percent) if isinstance(value, dict) else None
    return value if isinstance(value, int | float) else None
