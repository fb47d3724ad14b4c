"""The domain types, aligned with the WCO Data Model; plain Pydantic models, no I/O.

Offers: :class:`Declaration`, :class:`GoodsItem`, :class:`Party`, :class:`PartyRole`,
:class:`Transport`, :class:`Outcome` (an inspection's result), :class:`RejectedRecord`,
:class:`FieldIssue`, :class:`IngestSummary`; for cooperation :class:`Alert`, :class:`Seizure`,
:class:`Agreement` and their value types.
"""

from borderlink.model.cooperation import (
    CLASSIFICATION_ORDER,
    Agreement,
    AgreementState,
    AgreementType,
    Alert,
    Category,
    Classification,
    PartnerAlert,
    Record,
    Route,
    SeizedParty,
    Seizure,
    Tlp,
    nominal_fields,
)
from borderlink.model.declaration import (
    Declaration,
    GoodsItem,
    Party,
    PartyRole,
    Transport,
    TransportMode,
)
from borderlink.model.ingest import FieldIssue, IngestSummary, RejectedRecord, Severity
from borderlink.model.outcome import Outcome

__all__ = [
    "CLASSIFICATION_ORDER",
    "Agreement",
    "AgreementState",
    "AgreementType",
    "Alert",
    "Category",
    "Classification",
    "Declaration",
    "FieldIssue",
    "GoodsItem",
    "IngestSummary",
    "Outcome",
    "PartnerAlert",
    "Party",
    "PartyRole",
    "Record",
    "RejectedRecord",
    "Route",
    "SeizedParty",
    "Seizure",
    "Severity",
    "Tlp",
    "Transport",
    "TransportMode",
    "nominal_fields",
]
