"""What ingestion reports: issues found on fields, rejected records, a batch summary."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field


class Severity(StrEnum):
    WARNING = "warning"  # kept and flagged
    ERROR = "error"  # rejected


class FieldIssue(BaseModel):
    field: str
    reason: str = Field(description="Stable machine code, e.g. unknown_hs_code")
    message: str
    severity: Severity = Severity.ERROR


class RejectedRecord(BaseModel):
    id: int | None = None
    batch_id: str
    source: str
    record_no: int = Field(description="1-based record number in the source (data rows)")
    declaration_id: str | None = None
    item_no: int | None = None
    issues: list[FieldIssue]
    raw: dict[str, Any]
    status: str = "open"


class IngestSummary(BaseModel):
    batch_id: str
    source: str
    rows: int = 0
    accepted: int = 0
    rejected: int = 0
    duplicates: int = 0
    warnings: dict[str, int] = Field(default_factory=dict)
    errors: dict[str, int] = Field(default_factory=dict)

    def public(self) -> dict[str, Any]:
        """The summary as the CLI's ``--json`` prints it."""
        return self.model_dump(
            include={"rows", "accepted", "rejected", "duplicates", "warnings", "errors"}
        )
