"""``/api/v1/risk``: score one declaration on arrival; record an inspection outcome.

Both go through the need-to-know rules: an officer scores and records only at their office.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path

from borderlink.api.deps import NodeDep, allowed, blocking
from borderlink.model.outcome import Outcome
from borderlink.services import Node, declarations
from borderlink.services import risk as service
from borderlink.services.access import Permission, Principal

router = APIRouter(prefix="/api/v1/risk", tags=["risk"])

Scorer = Annotated[Principal, Depends(allowed(Permission.RISK_SCORE))]
Inspector = Annotated[Principal, Depends(allowed(Permission.OUTCOMES_RECORD))]


def _score(node: Node, principal: Principal, declaration_id: str) -> dict[str, Any]:
    declarations.ensure_visible(node, principal, declaration_id)
    return service.score_one(node, declaration_id)


@router.post("/score/{declaration_id}")
async def score(
    declaration_id: Annotated[str, Path(min_length=1, max_length=64)],
    node: NodeDep,
    principal: Scorer,
) -> dict[str, Any]:
    """Score one stored declaration with the newest model: risk, channel, reasons."""
    return await blocking(_score, node, principal, declaration_id)


@router.post("/outcomes", status_code=204)
async def outcome(body: Outcome, node: NodeDep, principal: Inspector) -> None:
    """Record an inspection result (training data for the next model; profile hit rates)."""
    recorded = body.model_copy(update={"officer": body.officer or principal.username})
    await blocking(declarations.record_outcome, node, principal, recorded)
