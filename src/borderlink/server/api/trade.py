"""``/api/v1/mras``, ``/api/v1/trusted-traders`` and ``/api/v1/time-release``: mutual
recognition of trusted traders, and how long release takes (the WCO Time Release Study).

Liaison officers (and administrators) keep the MRAs and their trader id mappings; the staff
who work with declarations read the MRAs; the trusted traders themselves are party data.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Path, Query
from pydantic import BaseModel, Field

from borderlink.model import IsoDate
from borderlink.model.aeo import Mra, TrustedTrader
from borderlink.server.deps import CurrentUser, NodeDep, allowed, blocking
from borderlink.services.accounts.access import Permission, Principal
from borderlink.services.cooperation import aeo
from borderlink.services.coordination import time_release
from borderlink.services.coordination.time_release import GroupBy

router = APIRouter(prefix="/api/v1", tags=["trusted traders"])

Liaison = Annotated[Principal, Depends(allowed(Permission.AGREEMENTS_MANAGE))]
Reader = Annotated[Principal, Depends(allowed(Permission.DASHBOARD_READ))]
Nominal = Annotated[Principal, Depends(allowed(Permission.NOMINAL_READ))]
MraId = Annotated[str, Path(min_length=1, max_length=64)]
MAX_MAPPING = 100_000


class MappingRow(BaseModel):
    partner_trader_id: str = Field(min_length=1, max_length=64, description="As the partner has it")
    local_trader_id: str = Field(min_length=1, max_length=64, description="EORI/TIN declared here")


class MappingResult(BaseModel):
    mra_id: str
    held: int = Field(description="Rows the MRA's mapping holds after this load")


@router.get("/mras")
async def list_mras(node: NodeDep, who: CurrentUser) -> list[Mra]:
    """The MRAs this node applies (and its own programme), with their benefits."""
    return await blocking(aeo.list_mras, node, who)


@router.post("/mras")
async def put_mra(body: Annotated[dict[str, Any], Body()], node: NodeDep, who: Liaison) -> Mra:
    """Add or replace an MRA by its id (the same terms twice change nothing)."""
    return await blocking(aeo.put_mra, node, who, body)


@router.post("/mras/{mra_id}/mappings")
async def map_traders(
    mra_id: MraId,
    body: Annotated[list[MappingRow], Body(max_length=MAX_MAPPING)],
    node: NodeDep,
    who: Liaison,
) -> MappingResult:
    """Add rows to the MRA's trader id mapping (rows held already are kept as they are)."""
    pairs = [(r.partner_trader_id, r.local_trader_id) for r in body]
    held = await blocking(aeo.map_traders, node, who, mra_id, pairs)
    return MappingResult(mra_id=mra_id, held=held)


@router.get("/trusted-traders")
async def trusted_traders(
    node: NodeDep, who: Nominal, on: Annotated[IsoDate | None, Query()] = None
) -> list[TrustedTrader]:
    """The ids declared here that an AEO status in good standing makes trusted, per MRA."""
    return await blocking(aeo.trusted_traders_view, node, who, on)


@router.get("/time-release")
async def time_release_view(
    node: NodeDep,
    who: Reader,
    by: Annotated[GroupBy, Query(description="office, channel, agency or aeo")] = "channel",
    since: Annotated[IsoDate | None, Query()] = None,
    until: Annotated[
        IsoDate | None, Query(description="Default: the latest declaration day")
    ] = None,
) -> time_release.TimeRelease:
    """Lodged -> scored -> referred -> inspected -> released, p50/p90 hours per group, for the
    declarations of [since, until] (default: 90 days) in the caller's office scope."""
    return await blocking(time_release.time_release_view, node, who, by, since=since, until=until)
