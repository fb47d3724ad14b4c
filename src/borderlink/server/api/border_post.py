"""The border post under ``/api/v1``: joint inspections, incidents, SOPs, customs inspections.

Each route parses, calls one use case (which authorises itself), and returns what it returns:
``/joint-inspections`` (plan, read, cancel), ``/incidents`` (open, add, read; to a seizure report
or an alert for partners), ``/sops`` (publish, read), ``/inspections/{declaration_id}`` (assign,
report) and ``/inspections/capacity`` (an office's inspections a day).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel, Field

from borderlink.errors import Conflict, NotFound
from borderlink.model import IsoDate
from borderlink.server.api import inspection_photos
from borderlink.server.deps import NodeDep, allowed, blocking
from borderlink.server.openapi import raises
from borderlink.services.accounts.access import Permission, Principal
from borderlink.services.coordination import incidents, inspections, joint, seizures, sops
from borderlink.services.declarations.read import MAX_PAGE, OutcomeView, Page

router = APIRouter(prefix="/api/v1", tags=["border post"])

Reader = Annotated[Principal, Depends(allowed(Permission.REFERRALS_READ))]
Inspector = Annotated[Principal, Depends(allowed(Permission.OUTCOMES_RECORD))]
Reporter = Annotated[Principal, Depends(allowed(Permission.INCIDENTS_REPORT))]
Sharer = Annotated[Principal, Depends(allowed(Permission.SHARING_OUTGOING))]
Publisher = Annotated[Principal, Depends(allowed(Permission.SOPS_PUBLISH))]
Manager = Annotated[Principal, Depends(allowed(Permission.INSPECTIONS_MANAGE))]
DeclarationReader = Annotated[Principal, Depends(allowed(Permission.DECLARATIONS_READ))]
Id = Annotated[int, Path(ge=1, le=2**31 - 1)]
DeclarationId = Annotated[str, Path(min_length=1, max_length=64)]
Name = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")]
Limit = Annotated[int, Query(ge=1, le=MAX_PAGE)]
Offset = Annotated[int, Query(ge=0, le=10_000_000)]


class JointRequest(joint.JointPlan):
    declaration_id: str = Field(min_length=1, max_length=64)


class Cancel(BaseModel):
    reason: str = Field(min_length=1, max_length=500)


class IncidentOpen(BaseModel):
    reference: str | None = Field(
        default=None, max_length=64, description="The natural key: sending it twice opens once"
    )
    template: str = Field(default="border-post", max_length=64)
    fields: dict[str, Any] = Field(description="The template's fields")


class IncidentAddition(BaseModel):
    entry_key: str | None = Field(default=None, max_length=64, description="Sent twice: added once")
    fields: dict[str, Any]


class AlertRequest(BaseModel):
    title: str = Field(min_length=1, max_length=200)
    days: int = Field(default=90, ge=1, le=3650)
    hs_codes: list[Annotated[str, Field(pattern=r"^\d{2,10}$")]] = Field(default=[], max_length=50)
    origins: list[Annotated[str, Field(pattern=r"^[A-Z]{2}$")]] = Field(default=[], max_length=50)


class Issued(BaseModel):
    record_id: str


class Published(BaseModel):
    sop: sops.Sop
    new_version: bool


class SopRead(BaseModel):
    sop: sops.Sop
    versions: list[int]


class AssignRequest(BaseModel):
    officer: str = Field(min_length=1, max_length=64)
    day: IsoDate


class Capacity(BaseModel):
    office_id: str = Field(min_length=1, max_length=64)
    per_day: int = Field(ge=0, le=10_000)


class Reported(BaseModel):
    report: inspections.ReportView
    outcome: OutcomeView


class SeizureResult(BaseModel):
    record_id: str
    released_to: list[str]
    denied: dict[str, str]


@router.get("/joint-inspections")
async def list_joint(
    node: NodeDep, principal: Reader, limit: Limit = 50, offset: Offset = 0
) -> Page[joint.JointView]:
    """Joint inspections the caller may see, the latest planned first."""
    return await blocking(joint.list_joint, node, principal, limit=limit, offset=offset)


@router.get("/joint-inspections/summary")
async def joint_summary(node: NodeDep, principal: Reader) -> joint.JointSummary:
    """What joint inspections saved against separate ones (hours)."""
    return await blocking(joint.summary, node, principal)


@router.post("/joint-inspections", responses=raises(Conflict))
async def plan_joint(body: JointRequest, node: NodeDep, principal: Inspector) -> joint.JointView:
    """Plan (or re-plan) a red, referred declaration's one joint inspection."""
    plan = await blocking(
        joint.JointPlan.model_validate, body.model_dump(exclude={"declaration_id"})
    )
    return await blocking(joint.plan_joint, node, principal, body.declaration_id, plan)


@router.get("/joint-inspections/{joint_id}")
async def get_joint(joint_id: Id, node: NodeDep, principal: Reader) -> joint.JointView:
    """One joint inspection with each agency's part and the saving."""
    return await blocking(joint.get_joint, node, principal, joint_id)


@router.post("/joint-inspections/{joint_id}/cancel", responses=raises(Conflict))
async def cancel_joint(
    joint_id: Id, body: Cancel, node: NodeDep, principal: Inspector
) -> joint.JointView:
    """Cancel a joint inspection of which no part is done."""
    return await blocking(joint.cancel_joint, node, principal, joint_id, body.reason)


@router.get("/incidents")
async def list_incidents(
    node: NodeDep, principal: Reporter, limit: Limit = 50, offset: Offset = 0
) -> Page[incidents.IncidentView]:
    """The caller's post's incidents, the newest first."""
    return await blocking(incidents.list_incidents, node, principal, limit=limit, offset=offset)


@router.post("/incidents", responses=raises(Conflict, NotFound))  # NotFound: no such template
async def open_incident(
    body: IncidentOpen, node: NodeDep, principal: Reporter
) -> incidents.IncidentView:
    """Open an incident with the template's opening report."""
    return await blocking(
        incidents.open_incident,
        node,
        principal,
        body.fields,
        reference=body.reference,
        template_name=body.template,
    )


@router.get("/incidents/{incident_id}")
async def get_incident(
    incident_id: Id, node: NodeDep, principal: Reporter
) -> incidents.IncidentView:
    """One incident: the report as it stands and every entry."""
    return await blocking(incidents.get_incident, node, principal, incident_id)


@router.post("/incidents/{incident_id}/entries", responses=raises(Conflict))
async def add_to_incident(
    incident_id: Id, body: IncidentAddition, node: NodeDep, principal: Reporter
) -> incidents.IncidentView:
    """Add to an incident (another agency's persons, goods, actions taken)."""
    return await blocking(
        incidents.add_to_incident,
        node,
        principal,
        incident_id,
        body.fields,
        entry_key=body.entry_key,
    )


@router.post("/incidents/{incident_id}/seizure")
async def incident_to_seizure(incident_id: Id, node: NodeDep, principal: Sharer) -> Issued:
    """Issue the incident as a seizure report for partners (once; the release policy applies)."""
    return Issued(record_id=await blocking(incidents.to_seizure, node, principal, incident_id))


@router.post("/incidents/{incident_id}/alert")
async def incident_to_alert(
    incident_id: Id, body: AlertRequest, node: NodeDep, principal: Sharer
) -> Issued:
    """Issue an alert from the incident for partners (once; the release policy applies)."""
    record_id = await blocking(
        incidents.to_alert,
        node,
        principal,
        incident_id,
        title=body.title,
        days=body.days,
        hs_codes=body.hs_codes,
        origins=body.origins,
    )
    return Issued(record_id=record_id)


@router.get("/sops")
async def list_sops(node: NodeDep, principal: Reader) -> list[sops.Sop]:
    """Every SOP in force (the newest version of each)."""
    return await blocking(sops.list_sops, node, principal)


@router.post("/sops")
async def publish_sop(body: sops.SopDraft, node: NodeDep, principal: Publisher) -> Published:
    """Publish an agency's SOP: a new text is the next version, the same text changes nothing."""
    sop, made = await blocking(sops.publish, node, principal, body)
    return Published(sop=sop, new_version=made)


@router.get("/sops/{agency}/{referral_type}")
async def get_sop(
    agency: Name,
    referral_type: Name,
    node: NodeDep,
    principal: Reader,
    version: Annotated[int | None, Query(ge=1, le=1_000_000)] = None,
) -> SopRead:
    """One SOP (the version in force, or ``version``) and the versions there are."""
    sop, versions = await blocking(sops.get_sop, node, principal, agency, referral_type, version)
    return SopRead(sop=sop, versions=versions)


@router.put("/inspections/capacity")
async def set_capacity(body: Capacity, node: NodeDep, principal: Manager) -> Capacity:
    """How many inspections an office does a day (assignments beyond it are refused)."""
    await blocking(inspections.set_capacity, node, principal, body.office_id, body.per_day)
    return body


@router.put("/inspections/{declaration_id}/assignment", responses=raises(Conflict))
async def assign(
    declaration_id: DeclarationId, body: AssignRequest, node: NodeDep, principal: Inspector
) -> inspections.Assignment:
    """Assign the declaration's inspection to an officer of its office on a day with room."""
    return await blocking(
        inspections.assign, node, principal, declaration_id, body.officer, body.day
    )


@router.get("/inspections/{declaration_id}/assignment")
async def get_assignment(
    declaration_id: DeclarationId, node: NodeDep, principal: DeclarationReader
) -> inspections.Assignment | None:
    """Who inspects the declaration, and when (null: not assigned)."""
    return await blocking(inspections.assignment_for, node, principal, declaration_id)


@router.put("/inspections/{declaration_id}/report")
async def record_report(
    declaration_id: DeclarationId,
    body: inspections.InspectionReport,
    node: NodeDep,
    principal: Inspector,
) -> Reported:
    """The structured inspection report and the outcome it decides, recorded together."""
    view, outcome = await blocking(inspections.record_report, node, principal, declaration_id, body)
    return Reported(report=view, outcome=outcome)


@router.get("/inspections/{declaration_id}/report")
async def get_report(
    declaration_id: DeclarationId, node: NodeDep, principal: DeclarationReader
) -> inspections.ReportView | None:
    """The structured inspection report (null: none recorded)."""
    return await blocking(inspections.report_for, node, principal, declaration_id)


@router.post("/inspections/{declaration_id}/seizure", responses=raises(Conflict))
async def report_seizure(
    declaration_id: DeclarationId, node: NodeDep, principal: Sharer
) -> SeizureResult:
    """Report what the inspection seized to partners (the release policy applies)."""
    done = await blocking(seizures.report_seizure, node, principal, declaration_id)
    return SeizureResult(record_id=done.record_id, released_to=done.released_to, denied=done.denied)


router.include_router(inspection_photos.router)  # a report's photos
