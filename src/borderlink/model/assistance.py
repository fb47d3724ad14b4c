"""Mutual administrative assistance between administrations: a request and its reply.

:class:`AssistanceRequest` is the requesting node's record (addressed to one partner, under one
agreement); :class:`AssistanceReply` the requested node's, on that request. Their lifecycle is in
:mod:`borderlink.cooperation.assistance`.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from borderlink.model.records_base import NOMINAL, Category, RecordBase


class Measure(StrEnum):
    """What a requesting administration asks its partner to do (WCO model bilateral agreement)."""

    INFORMATION = "information"  # on a declaration, a trader or a consignment
    VERIFICATION = "verification"  # of a document: certificate of origin, invoice, ...
    SURVEILLANCE = "surveillance"  # of persons, goods or means of transport
    INQUIRY = "inquiry"
    NOTIFICATION = "notification"  # of a document to a person in the partner's territory


class Urgency(StrEnum):
    ROUTINE = "routine"
    URGENT = "urgent"
    IMMEDIATE = "immediate"


class RequestState(StrEnum):
    """The requesting node's side of a request (its own record)."""

    DRAFT = "draft"
    SENT = "sent"
    WITHDRAWN = "withdrawn"


class ReplyState(StrEnum):
    """The requested node's side of a request (its own record, the reply)."""

    RECEIVED = "received"
    ACKNOWLEDGED = "acknowledged"
    IN_PROGRESS = "in_progress"
    ANSWERED = "answered"
    PARTIALLY_ANSWERED = "partially_answered"
    REFUSED = "refused"


class RefusalGround(StrEnum):
    """Grounds on which mutual assistance agreements let a partner refuse or postpone."""

    SOVEREIGNTY = "sovereignty"
    PUBLIC_ORDER = "public-order"
    SECURITY = "security"
    LEGAL_PROHIBITION = "legal-prohibition"
    TRADE_SECRET = "trade-secret"  # noqa: S105 - a ground of refusal, not a password
    DISPROPORTIONATE = "disproportionate"


class Attachment(BaseModel):
    """A file attached to a request or a reply: named by its content digest, bytes alongside."""

    model_config = ConfigDict(frozen=True)

    name: str = Field(min_length=1, max_length=200)
    media_type: str = Field(default="application/octet-stream", max_length=100)
    size: int = Field(ge=0)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    content: str = Field(description="The bytes, base64 (the signed record carries them)")

    @model_validator(mode="after")
    def _matches_digest(self) -> Attachment:
        try:
            data = base64.b64decode(self.content, validate=True)
        except binascii.Error as error:
            raise ValueError(f"attachment {self.name!r}: content is not base64") from error
        if len(data) != self.size or hashlib.sha256(data).hexdigest() != self.sha256:
            raise ValueError(f"attachment {self.name!r} does not match its size or digest")
        return self


class HistoryEntry(BaseModel):
    """One declaration from the answering node's records, attached to a reply."""

    model_config = ConfigDict(frozen=True)

    declaration_id: str
    declared_on: dt.date | None = None
    hs_code: str | None = None
    origin_country: str | None = None
    customs_value: float | None = None
    trader_id: str | None = None
    trader_name: str | None = None
    channel: str | None = None


class AssistanceRequest(RecordBase):
    """A request for mutual administrative assistance, addressed to one partner node."""

    kind: Literal["assist-request"] = "assist-request"
    reference: str = Field(
        min_length=1, max_length=64, description="The requesting administration's file number"
    )
    requested: str = Field(min_length=1, max_length=64, description="Node id asked for help")
    agreement_id: str = Field(min_length=1, max_length=64, description="The legal basis")
    measure: Measure
    title: str = Field(min_length=1, max_length=200)
    details: str | None = Field(default=None, max_length=20_000)
    urgency: Urgency = Urgency.ROUTINE
    deadline: dt.date
    state: RequestState = RequestState.DRAFT
    declaration_ids: tuple[str, ...] = ()
    trader_ids: Annotated[tuple[str, ...], Field(json_schema_extra=NOMINAL)] = ()
    container_numbers: tuple[str, ...] = ()
    vessel_imos: tuple[str, ...] = ()
    attachments: tuple[Attachment, ...] = ()

    @property
    def category(self) -> Category:
        return Category.ASSISTANCE_REQUEST

    @property
    def audience(self) -> tuple[str, ...]:
        return (self.requested,)


class AssistanceReply(RecordBase):
    """The requested node's answer to a request: its state, findings and what it attaches."""

    kind: Literal["assist-reply"] = "assist-reply"
    request_id: str = Field(min_length=1, max_length=128)
    requester: str = Field(min_length=1, max_length=64, description="Node id that asked")
    agreement_id: str = Field(min_length=1, max_length=64, description="The request's basis")
    state: ReplyState
    ground: RefusalGround | None = None
    findings: str | None = Field(default=None, max_length=20_000)
    history: Annotated[tuple[HistoryEntry, ...], Field(json_schema_extra=NOMINAL)] = ()
    attachments: tuple[Attachment, ...] = ()

    @property
    def category(self) -> Category:
        return Category.ASSISTANCE_REPLY

    @property
    def audience(self) -> tuple[str, ...]:
        return (self.requester,)

    @model_validator(mode="after")
    def _ground_iff_refused(self) -> AssistanceReply:
        if (self.state == ReplyState.REFUSED) != (self.ground is not None):
            raise ValueError("a refusal names its ground, and only a refusal has one")
        return self
