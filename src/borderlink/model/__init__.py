"""The domain types, aligned with the WCO Data Model; plain Pydantic models, no I/O.

Offers: :class:`Declaration`, :class:`GoodsItem`, :class:`Party`, :class:`PartyRole`,
:class:`Transport`, :class:`Outcome` (an inspection's result), :class:`RejectedRecord`,
:class:`FieldIssue`, :class:`IngestSummary`; reference data views (:class:`HsCodeView`,
:class:`CountryView`, :class:`RefDataSummary`).
"""

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
    "Party",
    "PartyRole",
    "RefDataSummary",
    "RejectedRecord",
    "Severity",
    "Transport",
    "TransportMode",
]
