"""``/api/v1/exchange`` for partner nodes: inclusion proofs from this node's verifiable log.

Partner-only (signed requests, ``server.partner_auth``). A partner asks for the proof of a leaf
by its index, or of the entries about one record that concern it; both come against a tree
head signed now. The work is in ``services.exchange.log``.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request

from borderlink.errors import NotFound
from borderlink.server.deps import blocking
from borderlink.server.openapi import raises
from borderlink.server.partner_auth import Caller
from borderlink.services.cooperation.partners import node_identity
from borderlink.services.exchange.keys import key_statements
from borderlink.services.exchange.log import partner_proofs
from borderlink.services.node import Node

router = APIRouter(prefix="/api/v1/exchange", tags=["exchange"])


def _proofs(node: Node, caller: Any, **which: Any) -> dict[str, Any]:
    return partner_proofs(node, node_identity(node), caller, **which)


@router.get("/proofs/leaves/{leaf_index}", responses=raises(NotFound))
async def leaf_proof(
    request: Request, caller: Caller, leaf_index: Annotated[int, Path(ge=0, le=2**31 - 1)]
) -> dict[str, Any]:
    """The inclusion proof (RFC 9162) of one leaf in the current signed tree."""
    return await blocking(_proofs, request.app.state.node, caller, leaf_index=leaf_index)


@router.get("/proofs", responses=raises(NotFound))
async def record_proofs(
    request: Request,
    caller: Caller,
    record_id: Annotated[str, Query(min_length=1, max_length=128)],
) -> dict[str, Any]:
    """Inclusion proofs of every entry about ``record_id`` that concerns the caller."""
    return await blocking(_proofs, request.app.state.node, caller, record_id=record_id)


@router.get("/keys")
async def keys(request: Request, caller: Caller) -> dict[str, Any]:
    """This node's key rotation statements, oldest first (each signed by the key it replaced)."""
    return {"statements": await blocking(key_statements, request.app.state.node)}
