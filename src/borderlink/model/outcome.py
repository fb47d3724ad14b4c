"""The result of an inspection: what the risk engine learns from."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from borderlink.model.capacity import InspectionMethod


class Outcome(BaseModel):
    model_config = ConfigDict(frozen=True)

    declaration_id: str
    illicit: bool = Field(description="Anything irregular found (fraud, prohibited goods, ...)")
    severity: int = Field(default=0, ge=0, le=9, description="0 none; higher is graver")
    revenue_recovered: float | None = Field(default=None, ge=0)
    inspected_on: dt.date | None = None
    officer: str | None = None
    note: str | None = None
    # NII (scanner image analysis) results may be reserved to certified officers.
    method: InspectionMethod | None = None
