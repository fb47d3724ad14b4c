"""``/api/v1/rejects`` (rejected records) and ``/api/v1/audit`` (the audit log, its proofs)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel, Field

from borderlink.errors import Conflict, NotFound
from borderlink.server.deps import NodeDep, allowed, blocking
from borderlink.server.openapi import raises
from borderlink.services.accounts import audit_seal
from borderlink.services.accounts.access import Permission, Principal
from borderlink.services.declarations import browse
from borderlink.services.declarations.read import MAX_PAGE, Page
from borderlink.services.ingest import rejects
from borderlink.services.ingest.rejects import RetrySummary

router = APIRouter(prefix="/api/v1", tags=["records"])

RejectReader = Annotated[Principal, Depends(allowed(Permission.REJECTS_READ))]
Retrier = Annotated[Principal, Depends(allowed(Permission.REJECTS_RETRY))]
Auditor = Annotated[Principal, Depends(allowed(Permission.AUDIT_READ))]
Limit = Annotated[int, Query(ge=1, le=MAX_PAGE)]
Offset = Annotated[int, Query(ge=0, le=10_000_000)]
Text = Annotated[str | None, Query(max_length=128)]


@router.get("/rejects")
async def list_rejects(
    node: NodeDep,
    principal: RejectReader,
    status: Annotated[str | None, Query(pattern="^(open|resolved)$")] = "open",
    reason: Text = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[browse.RejectView]:
    return await blocking(
        browse.list_rejects,
        node,
        principal,
        status=status,
        reason=reason,
        limit=limit,
        offset=offset,
    )


@router.get("/rejects/{reject_id}")
async def get_reject(
    reject_id: Annotated[int, Path(ge=1, le=2**31 - 1)], node: NodeDep, principal: RejectReader
) -> browse.RejectView:
    return await blocking(browse.get_reject, node, principal, reject_id)


class RetryRequest(BaseModel):
    ids: list[Annotated[int, Field(ge=1, le=2**31 - 1)]] | None = Field(
        default=None, max_length=10_000, description="Default: every open reject (or of a reason)"
    )
    reason: str | None = Field(default=None, max_length=64)


@router.post("/rejects/retry", responses=raises(NotFound))
async def retry_rejects(body: RetryRequest, node: NodeDep, principal: Retrier) -> RetrySummary:
    """Validate open rejects again (after reference data or a mapping was fixed)."""
    return await blocking(rejects.retry_rejects, node, principal, ids=body.ids, reason=body.reason)


class CorrectionRequest(BaseModel):
    changes: dict[Annotated[str, Field(max_length=128)], Annotated[str, Field(max_length=2000)]] = (
        Field(description="The record's fields as it was read, with their corrected values")
    )
    reason: str | None = Field(default=None, max_length=2000, description="Why, for the audit")


@router.post("/rejects/{reject_id}/correct", responses=raises(NotFound, Conflict))
async def correct_reject(
    reject_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
    body: CorrectionRequest,
    node: NodeDep,
    principal: Retrier,
) -> RetrySummary:
    """Correct fields of an open rejected record and retry it (before and after are audited)."""
    return await blocking(
        rejects.correct_reject, node, principal, reject_id, body.changes, reason=body.reason
    )


@router.get("/audit")
async def list_audit(
    node: NodeDep,
    principal: Auditor,
    actor: Text = None,
    action: Text = None,
    object_type: Text = None,
    object_id: Text = None,
    since: Annotated[dt.datetime | None, Query()] = None,
    until: Annotated[dt.datetime | None, Query()] = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> Page[browse.AuditEntry]:
    return await blocking(
        browse.list_audit,
        node,
        principal,
        actor=actor,
        action=action,
        object_type=object_type,
        object_id=object_id,
        since=since,
        until=until,
        limit=limit,
        offset=offset,
    )


@router.get("/audit/{entry_id}/proof")
async def prove_audit_entry(
    entry_id: Annotated[int, Path(ge=1, le=2**31 - 1)], node: NodeDep, principal: Auditor
) -> audit_seal.AuditProof:
    """The entry's inclusion proof in the node's verifiable log, against a signed tree head.

    Check it with the node's public key: the head's signature, then the RFC 9162 audit path
    from ``leaf`` (whose ``digest`` is SHA-256 of the entry's canonical JSON) to ``root_hash``.
    404 until the entry is sealed (every ``BORDERLINK_AUDIT_SEAL_SECONDS``).
    """
    return await blocking(audit_seal.prove_entry, node, principal, entry_id)
