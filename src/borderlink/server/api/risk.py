"""``/api/v1/risk``: score one declaration on arrival; record an inspection outcome.

Both go through the need-to-know rules: an officer scores and records only at their office.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query

from borderlink.errors import NotFound
from borderlink.model import IsoDate
from borderlink.model.outcome import Outcome
from borderlink.server.deps import NodeDep, allowed, blocking
from borderlink.server.openapi import raises
from borderlink.services import Node
from borderlink.services.accounts.access import Permission, Principal
from borderlink.services.declarations import read as declarations
from borderlink.services.declarations.read import MAX_PAGE, Page
from borderlink.services.risk import Profile, models, profiles, targeting
from borderlink.services.risk import score as scoring

router = APIRouter(prefix="/api/v1/risk", tags=["risk"])

Scorer = Annotated[Principal, Depends(allowed(Permission.RISK_SCORE))]
Analyst = Annotated[Principal, Depends(allowed(Permission.PROFILES_MANAGE))]
ProfileReader = Annotated[Principal, Depends(allowed(Permission.PROFILES_READ))]
Reader = Annotated[Principal, Depends(allowed(Permission.DECLARATIONS_READ))]
Inspector = Annotated[Principal, Depends(allowed(Permission.OUTCOMES_RECORD))]


def _score(node: Node, principal: Principal, declaration_id: str) -> dict[str, Any]:
    return scoring.score_queued(node, principal, declaration_id)  # batched with what arrives


@router.post("/score/{declaration_id}")
async def score(
    declaration_id: Annotated[str, Path(min_length=1, max_length=64)],
    node: NodeDep,
    principal: Scorer,
) -> dict[str, Any]:
    """Score one stored declaration with the newest model: risk, channel, reasons."""
    return await blocking(_score, node, principal, declaration_id)


@router.post("/outcomes", status_code=204, responses=raises(NotFound))
async def outcome(body: Outcome, node: NodeDep, principal: Inspector) -> None:
    """Record an inspection result (training data for the next model; profile hit rates)."""
    # The officer stored is the principal, whatever the body says (the use case decides).
    await blocking(declarations.record_outcome, node, principal, body)


@router.get("/queue")
async def queue(
    node: NodeDep,
    principal: Reader,
    day: Annotated[IsoDate | None, Query(description="Default: the latest day")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 100,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> Page[targeting.QueueEntry]:
    """The targeting queue: red then yellow declarations not yet inspected, riskiest first."""
    return await blocking(targeting.queue, node, principal, day=day, limit=limit, offset=offset)


@router.get("/score/{declaration_id}")
async def latest_score(
    declaration_id: Annotated[str, Path(min_length=1, max_length=64)],
    node: NodeDep,
    principal: Reader,
) -> targeting.ScoreView | None:
    """The declaration's newest score with its reasons (null if it was never scored)."""
    return await blocking(targeting.latest_score, node, principal, declaration_id)


@router.get("/profiles")
async def list_profiles(node: NodeDep, who: ProfileReader) -> list[profiles.ProfileView]:
    """Current profile versions with their hit rates (illicit among inspected hits)."""
    return await blocking(profiles.list_profiles, node, who)


@router.post("/profiles", status_code=201)
async def save_profile(body: Profile, node: NodeDep, who: Analyst) -> Profile:
    """Store a profile (a new version when the name exists); the expression is checked first."""
    return await blocking(profiles.save_profile, node, who, body)


@router.post("/profiles/test")
async def test_profile(body: Profile, node: NodeDep, who: Analyst) -> dict[str, Any]:
    """Replay a profile over history: declarations it would have hit, and the hit rate."""
    return await blocking(profiles.replay_profile, node, who, body)


@router.post("/profiles/{name}/disable")
async def disable_profile(
    name: Annotated[str, Path(min_length=1, max_length=64)], node: NodeDep, who: Analyst
) -> Profile:
    return await blocking(profiles.disable_profile, node, who, name)


@router.get("/models")
async def list_models(node: NodeDep, who: ProfileReader) -> list[models.ModelView]:
    """Trained model versions, newest first, with their window and metrics."""
    return await blocking(models.list_models, node, who)
