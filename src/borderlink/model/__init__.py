"""The domain types, aligned with the WCO Data Model; plain Pydantic models, no I/O.

Offers: :class:`Declaration`, :class:`GoodsItem`, :class:`Party`, :class:`PartyRole`,
:class:`Transport`, :class:`Outcome` (an inspection's result), :class:`RejectedRecord`,
:class:`FieldIssue`, :class:`IngestSummary`; reference data views (:class:`HsCodeView`,
:class:`CountryView`, :class:`RefDataSummary`); for cooperation :class:`Alert`,
:class:`Seizure`, :class:`Agreement`, :class:`PartnerAlert` and their value types.
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
from borderlink.model.refdata import (
    CorrelationSummary,
    CountryView,
    EditionSummary,
    HsCodeView,
    HsCorrelated,
    HsNode,
    HsRef,
    RefDataSummary,
)

__all__ = [
    "CLASSIFICATION_ORDER",
    "Agreement",
    "AgreementState",
    "AgreementType",
    "Alert",
    "Category",
    "Classification",
    "CorrelationSummary",
    "CountryView",
    "Declaration",
    "EditionSummary",
    "FieldIssue",
    "GoodsItem",
    "HsCodeView",
    "HsCorrelated",
    "HsNode",
    "HsRef",
    "IngestSummary",
    "Outcome",
    "PartnerAlert",
    "Party",
    "PartyRole",
    "Record",
    "RefDataSummary",
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
