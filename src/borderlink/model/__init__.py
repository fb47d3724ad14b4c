"""The domain types, aligned with the WCO Data Model; plain Pydantic models, no I/O.

Offers: :class:`Declaration`, :class:`GoodsItem`, :class:`Party`, :class:`PartyRole`,
:class:`Transport`, :class:`Outcome` (an inspection's result), :class:`RejectedRecord`,
:class:`FieldIssue`, :class:`IngestSummary`.
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

__all__ = [
    "Declaration",
    "FieldIssue",
    "GoodsItem",
    "IngestSummary",
    "Outcome",
    "Party",
    "PartyRole",
    "RejectedRecord",
    "Severity",
    "Transport",
    "TransportMode",
]
