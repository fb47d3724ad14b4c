"""What customs administrations share, and the agreements under which they share it.

Records that travel: :class:`Alert` (a risk indicator: what to look for, valid for a time) and
:class:`Seizure` (what was found, where, how hidden, along which route, with which parties).
Fields carrying nominal data (names and identifiers of persons and companies) are marked
``nominal`` in their schema; :func:`nominal_fields` lists them, and the STIX form puts them under
a granular marking so an agreement can remove them field by field.

:class:`Agreement` is data, not code: parties, type, lifecycle state, what may flow, for which
purposes, up to which classification, with which fields removed.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

NOMINAL = {"nominal": True}


class Classification(StrEnum):
    """Sensitivity of a record, lowest first (ordered by :data:`CLASSIFICATION_ORDER`)."""

    PUBLIC = "public"
    RESTRICTED = "restricted"
    CONFIDENTIAL = "confidential"
    SECRET = "secret"  # noqa: S105 - a classification level, not a password


CLASSIFICATION_ORDER = {c: i for i, c in enumerate(Classification)}


class Tlp(StrEnum):
    """Traffic Light Protocol 2.0 labels."""

    CLEAR = "clear"
    GREEN = "green"
    AMBER = "amber"
    AMBER_STRICT = "amber+strict"
    RED = "red"


class Category(StrEnum):
    """Kinds of data an agreement may let flow."""

    ALERT = "alert"
    SEIZURE = "seizure"
    TRADER_IDENTITY = "trader-identity"
    AEO_STATUS = "aeo-status"
    ASSISTANCE_REQUEST = "assistance-request"
    ASSISTANCE_REPLY = "assistance-reply"


class Route(BaseModel):
    """Where goods came from and went through; every field optional (a scope, not a trace)."""

    model_config = ConfigDict(frozen=True)

    departure_country: str | None = Field(default=None, description="ISO 3166-1 alpha-2")
    loading_location: str | None = Field(default=None, description="UN/LOCODE")
    discharge_location: str | None = Field(default=None, description="UN/LOCODE")
    transport_mode: str | None = Field(default=None, description="UN/ECE Rec. 19 code")


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str = Field(description="STIX id, e.g. indicator--<uuid4> for an alert")
    issuer: str = Field(description="Node id of the administration that issued the record")
    created: dt.datetime
    modified: dt.datetime = Field(description="Version: a correction is a later `modified`")
    classification: Classification = Classification.RESTRICTED
    tlp: Tlp = Tlp.AMBER
    revoked: bool = False

    @property
    def category(self) -> Category:
        raise NotImplementedError

    @model_validator(mode="after")
    def _modified_not_before_created(self) -> _Record:
        if self.modified < self.created:
            raise ValueError("modified must not be before created")
        return self


class Alert(_Record):
    """A risk indicator: declarations matching its scope during its validity deserve a look."""

    kind: Literal["alert"] = "alert"
    title: str = Field(min_length=1, max_length=200)
    description: str | None = None
    valid_from: dt.date
    valid_until: dt.date
    hs_codes: tuple[str, ...] = Field(default=(), description="HS code prefixes (2 to 10 digits)")
    origins: tuple[str, ...] = Field(default=(), description="Countries of origin")
    route: Route = Route()
    concealment: str | None = None
    trader_ids: Annotated[tuple[str, ...], Field(json_schema_extra=NOMINAL)] = ()
    source_seizure: str | None = Field(default=None, description="STIX id of the seizure behind")

    @property
    def category(self) -> Category:
        return Category.ALERT

    @model_validator(mode="after")
    def _validity(self) -> Alert:
        if self.valid_until < self.valid_from:
            raise ValueError("valid_until must not be before valid_from")
        return self


class SeizedParty(BaseModel):
    model_config = ConfigDict(frozen=True)

    role: str = Field(description="importer, exporter, declarant, carrier, ...")
    party_id: str | None = None
    name: str | None = None
    country: str | None = None


class Seizure(_Record):
    """A seizure report: what was found, where, how it was hidden, along which route."""

    kind: Literal["seizure"] = "seizure"
    seized_on: dt.date
    office_id: str | None = None
    goods_description: str = Field(min_length=1)
    hs_code: str | None = None
    origin_country: str | None = None
    quantity: float | None = None
    quantity_unit: str | None = None
    concealment: str | None = None
    route: Route = Route()
    declaration_id: Annotated[str | None, Field(json_schema_extra=NOMINAL)] = None
    parties: Annotated[tuple[SeizedParty, ...], Field(json_schema_extra=NOMINAL)] = ()

    @property
    def category(self) -> Category:
        return Category.SEIZURE


class AeoStatus(_Record):
    """A trader's Authorised Economic Operator status, as shared under mutual recognition."""

    kind: Literal["aeo-status"] = "aeo-status"
    trader_id: Annotated[str | None, Field(json_schema_extra=NOMINAL)] = None
    trader_name: Annotated[str | None, Field(json_schema_extra=NOMINAL)] = None
    country: str = Field(description="Country of the AEO authority, ISO 3166-1 alpha-2")
    programme: str = Field(default="AEO", description="e.g. AEOC, AEOS, AEOF, C-TPAT")
    status: Literal["granted", "suspended", "revoked"]
    valid_from: dt.date
    valid_until: dt.date | None = None

    @property
    def category(self) -> Category:
        return Category.AEO_STATUS


# --- mutual administrative assistance -----------------------------------------------------


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


class AssistanceRequest(_Record):
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


class AssistanceReply(_Record):
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


CoopRecord = Alert | Seizure | AeoStatus | AssistanceRequest | AssistanceReply
RecordModel = (
    type[Alert] | type[Seizure] | type[AeoStatus] | type[AssistanceRequest] | type[AssistanceReply]
)
RECORD_MODELS: dict[str, RecordModel] = {
    "alert": Alert,
    "seizure": Seizure,
    "aeo-status": AeoStatus,
    "assist-request": AssistanceRequest,
    "assist-reply": AssistanceReply,
}
Record = Annotated[CoopRecord, Field(discriminator="kind")]
# The standard STIX 2.1 object each kind travels as; a record's id is that object's id.
STIX_TYPES: Mapping[str, str] = MappingProxyType(
    {
        "alert": "indicator",
        "seizure": "report",
        "aeo-status": "identity",
        "assist-request": "course-of-action",  # what the partner is asked to do
        "assist-reply": "note",  # context on the request it refers to
    }
)


def audience(record: CoopRecord) -> tuple[str, ...] | None:
    """The only nodes a record may go to whatever the agreements say (None: any partner)."""
    return record.audience if isinstance(record, AssistanceRequest | AssistanceReply) else None


def legal_basis(record: CoopRecord) -> str | None:
    """The one agreement a record may travel under (None: any that allows it)."""
    return record.agreement_id if isinstance(record, AssistanceRequest | AssistanceReply) else None


def nominal_fields(model: type[BaseModel]) -> list[str]:
    """The fields of ``model`` that carry nominal data (identities of persons or companies)."""
    return [
        name
        for name, info in model.model_fields.items()
        if isinstance(info.json_schema_extra, dict) and info.json_schema_extra.get("nominal")
    ]


# --- agreements -----------------------------------------------------------------------------


class AgreementType(StrEnum):
    BILATERAL_MOU = "bilateral-mou"
    CMAA = "cmaa"  # customs mutual assistance agreement
    MULTILATERAL = "multilateral-convention"


class AgreementState(StrEnum):
    DRAFT = "draft"
    SIGNED = "signed"
    RATIFIED = "ratified"
    IN_FORCE = "in_force"
    SUSPENDED = "suspended"
    EXPIRED = "expired"


class Agreement(BaseModel):
    """An agreement between administrations, as data. Only one in force lets anything flow."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    agreement_id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:-]+$")
    title: str = Field(min_length=1)
    type: AgreementType
    parties: tuple[str, ...] = Field(min_length=2, description="Node ids of the parties")
    state: AgreementState = AgreementState.DRAFT
    legal_basis: str = Field(min_length=1)
    categories: frozenset[Category] = Field(description="What may flow")
    purposes: frozenset[str] = Field(min_length=1, description="For which purposes")
    max_classification: Classification = Classification.RESTRICTED
    fields: dict[Category, tuple[str, ...]] = Field(
        default_factory=dict,
        description="What may flow, per category: an allow-list of fields (nested paths such as "
        "`parties.name`); a category left out gets the standard list",
    )
    redact: dict[Category, tuple[str, ...]] = Field(
        default_factory=dict, description="Fields removed before release, per category"
    )
    replace: dict[Category, dict[str, str]] = Field(
        default_factory=dict,
        description="Free-text fields sent as the given text instead, per category",
    )
    amber_recipients: tuple[str, ...] = Field(
        default=(), description="Node ids that may receive TLP:AMBER records under it"
    )
    onward_sharing: Literal["forbidden", "with-consent", "permitted"] = "forbidden"
    retention_days: int | None = Field(default=None, ge=1)
    retain_after_end_days: int = Field(
        default=0, ge=0, description="Days a partner keeps what it received once it has ended"
    )
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None
    review_on: dt.date | None = None
    answer_days: int | None = Field(
        default=None,
        ge=1,
        le=366,
        description="Days the requested party has to answer an assistance request under it",
    )

    @field_validator("amber_recipients")
    @classmethod
    def _recipients_are_parties(
        cls, value: tuple[str, ...], info: ValidationInfo
    ) -> tuple[str, ...]:
        if not set(value) <= set(info.data.get("parties", ())):
            raise ValueError("amber_recipients must be parties to the agreement")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Agreement:
        if len(set(self.parties)) != len(self.parties):
            raise ValueError("parties must be distinct")
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            raise ValueError("valid_until must not be before valid_from")
        return self

    def other_party(self, node_id: str) -> list[str]:
        return [p for p in self.parties if p != node_id]

    def as_document(self) -> dict[str, Any]:
        document = self.model_dump(mode="json")
        if document["answer_days"] is None:  # left out: the terms (and their hash) as before it
            del document["answer_days"]
        return document


class PartnerAlert(BaseModel):
    """An alert received from a partner, as the risk engine uses it: a scope and a validity."""

    model_config = ConfigDict(frozen=True)

    alert_id: str
    partner_id: str
    title: str
    valid_from: dt.date
    valid_until: dt.date
    trader_ids: tuple[str, ...] = ()
    hs_codes: tuple[str, ...] = ()
    origins: tuple[str, ...] = ()
    route: Route = Route()
    active: bool = True
