"""The domain, declared once, aligned with the WCO Data Model: plain data and models, no I/O.

Offers: the declaration schema as data (:data:`DECLARATION`, its groups :data:`PARTIES`, the
blocks :class:`Schema`, :class:`Group`, :class:`Field`), the value types in one
:data:`registry` (:mod:`borderlink.model.types`), the generated body model
:class:`DeclarationIn` with :func:`as_sent`, the reference doc :func:`reference`;
:class:`PartyRole`, :class:`TransportMode`, :class:`Outcome` (an inspection's result),
:class:`RejectedRecord`,
:class:`FieldIssue`, :class:`IngestSummary`; reference data views (:class:`HsCodeView`,
:class:`CountryView`, :class:`RefDataSummary`); for cooperation :class:`Alert`,
:class:`Seizure`, :class:`Agreement`, :class:`PartnerAlert` and their value types; for
coordination with other border agencies :class:`ReferralStatus` and :class:`ReferralAnswer`;
for capacity building :class:`TrainingRecord`, :class:`Requirement`, :class:`GatedAction`,
:class:`InspectionMethod`, :class:`Exercise` and :class:`ExerciseScore`.
"""

from borderlink.model.body import DeclarationIn, as_sent
from borderlink.model.capacity import (
    Exercise,
    ExerciseKind,
    ExerciseScore,
    GatedAction,
    InspectionMethod,
    Requirement,
    TrainingRecord,
    TrainingResult,
)
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
from borderlink.model.declaration import DECLARATION, PARTIES, PartyRole, TransportMode
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
from borderlink.model.reference import reference
from borderlink.model.referral import ReferralAnswer, ReferralStatus
from borderlink.model.schema import Field, Group, Schema
from borderlink.model.types import Check, IsoDate, ValueType, registry

__all__ = [
    "CLASSIFICATION_ORDER",
    "DECLARATION",
    "PARTIES",
    "RECORD_MODELS",
    "AeoStatus",
    "Agreement",
    "AgreementState",
    "AgreementType",
    "Alert",
    "Category",
    "Check",
    "Classification",
    "CoopRecord",
    "CorrelationSummary",
    "CountryView",
    "DeclarationIn",
    "EditionSummary",
    "Exercise",
    "ExerciseKind",
    "ExerciseScore",
    "Field",
    "FieldIssue",
    "GatedAction",
    "Group",
    "HsCodeView",
    "HsCorrelated",
    "HsNode",
    "HsRef",
    "IngestSummary",
    "InspectionMethod",
    "IsoDate",
    "Outcome",
    "PartnerAlert",
    "PartyRole",
    "Record",
    "RefDataSummary",
    "ReferralAnswer",
    "ReferralStatus",
    "RejectedRecord",
    "Requirement",
    "Route",
    "Schema",
    "SeizedParty",
    "Seizure",
    "Severity",
    "Tlp",
    "TrainingRecord",
    "TrainingResult",
    "TransportMode",
    "ValueType",
    "as_sent",
    "nominal_fields",
    "reference",
    "registry",
]
