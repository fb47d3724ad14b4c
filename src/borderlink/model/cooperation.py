"""What customs administrations share, and the agreements under which they share it.

Records that travel: :class:`Alert` (a risk indicator: what to look for, valid for a time),
:class:`Seizure` (what was found, where, how hidden, along which route, with which parties),
:class:`AeoStatus`, and the records of mutual assistance (:mod:`.assistance`) and joint
operations (:mod:`.operations`), all gathered in :data:`CoopRecord`.
Fields carrying nominal data (names and identifiers of persons and companies) are marked
``nominal`` in their schema; :func:`nominal_fields` lists them, and the STIX form puts them under
a granular marking so an agreement can remove them field by field.

:class:`Agreement` is data, not code: parties, type, lifecycle state, what may flow, for which
purposes, up to which classification, with which fields removed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from borderlink.model.assistance import (
    AssistanceReply,
    AssistanceRequest,
    Attachment,
    HistoryEntry,
    Measure,
    RefusalGround,
    ReplyState,
    RequestState,
    Urgency,
)
from borderlink.model.operations import (
    Operation,
    OperationReport,
    OperationState,
    SharedProfile,
)
from borderlink.model.records_base import (
    CLASSIFICATION_ORDER,
    NOMINAL,
    Category,
    Classification,
    RecordBase,
    Route,
    Tlp,
)

__all__ = [
    "CLASSIFICATION_ORDER",
    "NOMINAL",
    "AssistanceReply",
    "AssistanceRequest",
    "Attachment",
    "Category",
    "Classification",
    "HistoryEntry",
    "Measure",
    "Operation",
    "OperationReport",
    "OperationState",
    "RecordBase",
    "RefusalGround",
    "ReplyState",
    "RequestState",
    "Route",
    "SharedProfile",
    "Tlp",
    "Urgency",
]


class Alert(RecordBase):
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


class Seizure(RecordBase):
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


class AeoStatus(RecordBase):
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


CoopRecord = (
    Alert | Seizure | AeoStatus | AssistanceRequest | AssistanceReply | Operation | OperationReport
)
RecordModel = (
    type[Alert]
    | type[Seizure]
    | type[AeoStatus]
    | type[AssistanceRequest]
    | type[AssistanceReply]
    | type[Operation]
    | type[OperationReport]
)
RECORD_MODELS: dict[str, RecordModel] = {
    "alert": Alert,
    "seizure": Seizure,
    "aeo-status": AeoStatus,
    "assist-request": AssistanceRequest,
    "assist-reply": AssistanceReply,
    "operation": Operation,
    "operation-report": OperationReport,
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
        "operation": "grouping",  # the shared context of a closed user group
        "operation-report": "sighting",  # what a participant saw on a day
    }
)


_ADDRESSED = AssistanceRequest | AssistanceReply | Operation | OperationReport


def audience(record: CoopRecord) -> tuple[str, ...] | None:
    """The only nodes a record may go to whatever the agreements say (None: any partner)."""
    return record.audience if isinstance(record, _ADDRESSED) else None


def legal_basis(record: CoopRecord) -> tuple[str, ...] | None:
    """The agreements a record may travel under (None: any that allows it)."""
    if isinstance(record, AssistanceRequest | AssistanceReply):
        return (record.agreement_id,)
    if isinstance(record, Operation | OperationReport):
        return record.agreement_ids
    return None


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
