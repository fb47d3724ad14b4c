"""``/api/v1/assistance``: mutual assistance requests to and from partner administrations.

Liaison officers draft, send and withdraw requests and answer partners'; readers with
``assistance:read`` see the work lists, one request with its reply, the reminders, the figures
and the attachments. Files travel base64 inside the JSON body (each at most
``BORDERLINK_ASSISTANCE_ATTACHMENT_MAX_BYTES``).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from dataclasses import asdict
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from pydantic import BaseModel, Field

from borderlink.errors import Conflict, InvalidInput, NotFound, PolicyDenied
from borderlink.server.deps import NodeDep, allowed, blocking
from borderlink.server.openapi import raises
from borderlink.services.accounts.access import Permission, Principal
from borderlink.services.cooperation import assistance, assistance_views
from borderlink.services.declarations.read import MAX_PAGE, Page

router = APIRouter(prefix="/api/v1/assistance", tags=["assistance"])

Reader = Annotated[Principal, Depends(allowed(Permission.ASSISTANCE_READ))]
Requester = Annotated[Principal, Depends(allowed(Permission.ASSISTANCE_REQUEST))]
Answerer = Annotated[Principal, Depends(allowed(Permission.ASSISTANCE_ANSWER))]
RequestId = Annotated[str, Path(min_length=1, max_length=128)]
Text = Annotated[str, Field(min_length=1, max_length=200)]
Ids = list[Annotated[str, Field(min_length=1, max_length=64)]]
MAX_FILES = 20


class FileIn(BaseModel):
    name: Text
    media_type: str | None = Field(default=None, max_length=100)
    content: str = Field(description="The file's bytes, base64")


class RequestIn(BaseModel):
    reference: str = Field(min_length=1, max_length=64, description="This node's file number")
    requested: str = Field(min_length=1, max_length=64, description="The partner node asked")
    agreement_id: str = Field(min_length=1, max_length=64)
    measure: Literal["information", "verification", "surveillance", "inquiry", "notification"]
    title: Text
    details: str | None = Field(default=None, max_length=20_000)
    urgency: Literal["routine", "urgent", "immediate"] = "routine"
    deadline: dt.date | None = Field(default=None, description="Default: the agreement's")
    declaration_ids: Ids = Field(default_factory=list, max_length=500)
    trader_ids: Ids = Field(default_factory=list, max_length=500)
    container_numbers: Ids = Field(default_factory=list, max_length=500)
    vessel_imos: Ids = Field(default_factory=list, max_length=500)
    files: list[FileIn] = Field(default_factory=list, max_length=MAX_FILES)


class ReplyIn(BaseModel):
    state: Literal[
        "received", "acknowledged", "in_progress", "answered", "partially_answered", "refused"
    ]
    findings: str | None = Field(default=None, max_length=20_000)
    ground: (
        Literal[
            "sovereignty",
            "public-order",
            "security",
            "legal-prohibition",
            "trade-secret",
            "disproportionate",
        ]
        | None
    ) = None
    history_of: Ids = Field(default_factory=list, max_length=20, description="Trader ids")
    files: list[FileIn] = Field(default_factory=list, max_length=MAX_FILES)


class WithdrawIn(BaseModel):
    reason: str = Field(min_length=1, max_length=2000)


class StepOut(BaseModel):
    request_id: str
    state: str
    released_to: list[str] = Field(description="Partners that got the signed record")
    denied: dict[str, str] = Field(description="Partners that did not, and why")


def _files(items: list[FileIn]) -> list[assistance.File]:
    files = []
    for n, item in enumerate(items):
        try:
            content = base64.b64decode(item.content, validate=True)
        except (binascii.Error, ValueError) as error:  # ValueError: not even ASCII
            raise InvalidInput(f"files.{n}: not base64", field=f"files.{n}.content") from error
        files.append(assistance.File(item.name, content, item.media_type))
    return files


def _out(step: assistance.StepResult) -> StepOut:
    issued = step.issued
    return StepOut(
        request_id=step.request_id,
        state=step.state,
        released_to=issued.released_to if issued else [],
        denied=issued.denied if issued else {},
    )


def _transport(request: Request) -> Any:
    """How this node reaches partners (in-process tests bridge apps; otherwise real HTTP)."""
    return getattr(request.app.state, "exchange_transport", None)


@router.get("/requests")
async def work_list(
    node: NodeDep,
    principal: Reader,
    direction: Annotated[Literal["incoming", "outgoing"], Query()] = "incoming",
    open_only: Annotated[bool, Query(alias="open")] = False,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> Page[assistance_views.CaseView]:
    """Requests received from partners or sent to them, the nearest deadline first."""
    return await blocking(
        assistance_views.work_list,
        node,
        principal,
        direction,
        open_only=open_only,
        limit=limit,
        offset=offset,
    )


@router.post("/requests", responses=raises(Conflict, PolicyDenied))
async def draft(body: RequestIn, node: NodeDep, principal: Requester) -> StepOut:
    """Draft a request (idempotent on its reference while it is a draft)."""
    document = body.model_dump(exclude={"files"}, exclude_none=True, mode="json")
    step = await blocking(
        assistance.draft_request, node, principal, document, files=_files(body.files)
    )
    return _out(step)


@router.get("/reminders")
async def reminders(node: NodeDep, principal: Reader) -> list[assistance_views.CaseView]:
    """Open requests, both ways, due soon or overdue."""
    return await blocking(assistance_views.reminders, node, principal)


@router.get("/figures")
async def figures(node: NodeDep, principal: Reader) -> list[dict[str, Any]]:
    """Per partner: requests sent and received, median answer days, share answered in time."""
    found = await blocking(assistance_views.partner_figures, node, principal)
    return [asdict(f) for f in found]


@router.get("/requests/{request_id}", responses=raises(NotFound))
async def show(
    request_id: RequestId, node: NodeDep, principal: Reader
) -> assistance_views.CaseDetail:
    """One request with its reply as held here."""
    return await blocking(assistance_views.case_detail, node, principal, request_id)


@router.post("/requests/{request_id}/send", responses=raises(NotFound, Conflict, PolicyDenied))
async def send(
    request_id: RequestId, request: Request, node: NodeDep, principal: Requester
) -> StepOut:
    """Send a draft to its partner (sending again changes nothing)."""
    step = await blocking(
        assistance.send_request, node, principal, request_id, transport_for=_transport(request)
    )
    return _out(step)


@router.post("/requests/{request_id}/withdraw", responses=raises(NotFound, Conflict))
async def withdraw(
    request_id: RequestId, body: WithdrawIn, request: Request, node: NodeDep, principal: Requester
) -> StepOut:
    """Withdraw a request; the partner is told."""
    step = await blocking(
        assistance.withdraw_request,
        node,
        principal,
        request_id,
        reason=body.reason,
        transport_for=_transport(request),
    )
    return _out(step)


@router.post("/requests/{request_id}/reply", responses=raises(NotFound, Conflict, PolicyDenied))
async def reply(
    request_id: RequestId, body: ReplyIn, request: Request, node: NodeDep, principal: Answerer
) -> StepOut:
    """The requested node's step (repeating ``answered`` corrects the answer)."""
    step = await blocking(
        assistance.reply,
        node,
        principal,
        request_id,
        body.state,
        findings=body.findings,
        ground=body.ground,
        history_of=body.history_of,
        files=_files(body.files),
        transport_for=_transport(request),
    )
    return _out(step)


@router.get("/files/{sha256}", responses=raises(NotFound))
async def file(
    sha256: Annotated[str, Path(pattern="^[0-9a-f]{64}$")], node: NodeDep, principal: Reader
) -> Response:
    """An attachment held here, by its SHA-256."""
    content, media_type = await blocking(
        assistance_views.attachment_content, node, principal, sha256
    )
    return Response(
        content,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{sha256}"'},
    )
