"""Risk endpoints: score a declaration on arrival, record an inspection outcome."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from borderlink.model.outcome import Outcome
from borderlink.services import Node
from borderlink.services import risk as service

router = APIRouter(prefix="/api/v1/risk", tags=["risk"])


def _node(request: Request) -> Node:
    node: Node = request.app.state.node
    return node


@router.post("/score/{declaration_id}")
def score(declaration_id: str, request: Request) -> dict[str, Any]:
    """Score one stored declaration with the newest model: risk, channel, reasons."""
    return service.score_one(_node(request), declaration_id)


@router.post("/outcomes", status_code=204)
def outcome(body: Outcome, request: Request) -> None:
    """Record an inspection result (training data for the next model; profile hit rates)."""
    service.record_outcome(_node(request), body, actor=body.officer or "api")
