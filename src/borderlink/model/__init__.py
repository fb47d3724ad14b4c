"""The domain types, aligned with the WCO Data Model; plain Pydantic models, no I/O.

Offers: :class:`Declaration`, :class:`GoodsItem`, :class:`Party`, :class:`PartyRole`,
:class:`Transport`, :class:`Outcome` (an inspection's result), :class:`RejectedRecord`,
:class:`FieldIssue`, :class:`IngestSummary`; reference data views (:class:`HsCodeView`,
:class:`CountryView`, :class:`RefDataSummary`); for cooperation :class:`Alert`,
:class:`Seizure`, :class:`Agreement`, :class:`PartnerAlert` and their value types; for
coordination with other border agencies :class:`ReferralStatus` and :class:`ReferralAnswer`.
"""

from borderlink.model.cooperation import (
    CLASSIFICATION_ORDER,
    RECORD_MODELS,
    AeoStatus,
    Agreement,
    AgreementState,
    AgreementType,
    Alert,
    Category,
    Classification,
    CoopRecord,
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
from borderlink.model.referral import ReferralAnswer, ReferralStatus

__all__ = [
    "CLASSIFICATION_ORDER",
    "RECORD_MODELS",
    "AeoStatus",
    "Agreement",
    "AgreementState",
    "AgreementType",
    "Alert",
    "Category",
    "Classification",
    "CoopRecord",
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
    "ReferralAnswer",
    "ReferralStatus",
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
