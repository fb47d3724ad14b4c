"""``/api/v1/agreements`` and ``/api/v1/partners``: what may flow between nodes, and to whom.

For people (liaison officers, administrators). Node-to-node calls are not here: they go through
TAXII and ``/api/v1/exchange`` and authenticate with the calling node's signature.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel, Field

from borderlink.errors import Conflict
from borderlink.model.cooperation import Agreement, AgreementState
from borderlink.server.deps import NodeDep, allowed, blocking
from borderlink.server.openapi import raises
from borderlink.services.accounts.access import Permission, Principal
from borderlink.services.cooperation import Partner, agreements, partners, sharing
from borderlink.services.declarations.read import MAX_PAGE, Page

router = APIRouter(prefix="/api/v1", tags=["cooperation"])

Liaison = Annotated[Principal, Depends(allowed(Permission.AGREEMENTS_MANAGE))]
PartnerKeeper = Annotated[Principal, Depends(allowed(Permission.PARTNERS_MANAGE))]
Sharer = Annotated[Principal, Depends(allowed(Permission.SHARING_OUTGOING))]
Limit = Annotated[int, Query(ge=1, le=MAX_PAGE)]
Offset = Annotated[int, Query(ge=0, le=10_000_000)]
AgreementId = Annotated[str, Path(min_length=1, max_length=64)]
PartnerId = Annotated[str, Path(min_length=1, max_length=64)]


class PartnerView(BaseModel):
    partner_id: str = Field(min_length=1, max_length=64)
    name: str = Field(min_length=1, max_length=200)
    public_key: str = Field(min_length=1, max_length=200, description="Ed25519, base64url")
    base_url: str = Field(min_length=1, max_length=500)

    @classmethod
    def of(cls, partner: Partner) -> PartnerView:
        return cls(
            partner_id=partner.partner_id,
            name=partner.name,
            public_key=partner.public_key,
            base_url=partner.base_url,
        )


class Transition(BaseModel):
    to: AgreementState
    reason: str | None = Field(default=None, max_length=2000)


@router.get("/agreements")
async def list_agreements(node: NodeDep, who: Liaison) -> list[Agreement]:
    return await blocking(agreements.list_agreements, node, who)


@router.get("/agreements/{agreement_id}")
async def get_agreement(agreement_id: AgreementId, node: NodeDep, who: Liaison) -> Agreement:
    return await blocking(agreements.get_agreement, node, who, agreement_id)


@router.post("/agreements", status_code=201, responses=raises(Conflict))
async def add_agreement(body: Agreement, node: NodeDep, who: Liaison) -> Agreement:
    """Register an agreement this node is party to, as a draft."""
    return await blocking(agreements.add_agreement, node, who, body)


@router.post("/agreements/{agreement_id}/transition", responses=raises(Conflict))
async def transition_agreement(
    agreement_id: AgreementId, body: Transition, node: NodeDep, who: Liaison
) -> Agreement:
    """Move an agreement along its lifecycle (draft → signed → ratified → in force → ...)."""
    return await blocking(
        agreements.transition_agreement,
        node,
        who,
        agreement_id,
        body.to,
        reason=body.reason,
    )


@router.get("/partners")
async def list_partners(node: NodeDep, who: PartnerKeeper) -> list[PartnerView]:
    return [PartnerView.of(p) for p in await blocking(partners.list_partners, node, who)]


@router.post("/partners", status_code=201, responses=raises(Conflict))
async def add_partner(body: PartnerView, node: NodeDep, who: PartnerKeeper) -> PartnerView:
    partner = Partner(**body.model_dump())
    return PartnerView.of(await blocking(partners.add_partner, node, who, partner))


@router.delete("/partners/{partner_id}", status_code=204)
async def remove_partner(partner_id: PartnerId, node: NodeDep, who: PartnerKeeper) -> None:
    await blocking(partners.remove_partner, node, who, partner_id)


@router.get("/sharing/inbox")
async def inbox(
    node: NodeDep, who: Sharer, limit: Limit = 50, offset: Offset = 0
) -> Page[sharing.RecordView]:
    """Alerts and seizures received from partners."""
    return await blocking(sharing.inbox, node, who, limit=limit, offset=offset)


@router.get("/sharing/outbox")
async def outbox(
    node: NodeDep, who: Sharer, limit: Limit = 50, offset: Offset = 0
) -> Page[sharing.ReleaseView]:
    """Each copy released to a partner, as received: after redaction, with what was removed."""
    return await blocking(sharing.outbox, node, who, limit=limit, offset=offset)
