"""Trusted traders: mutual recognition arrangements (MRAs) and the benefits they grant, as data.

An :class:`Mra` says whose Authorised Economic Operator statuses this node recognises (a
partner's, or this node's own programme when ``partner`` is this node's id), which of their
programmes (security and safety ``AEOS``, customs simplifications ``AEOC``, ``AEOF`` for both,
``C-TPAT``, ...), for which roles on a declaration, and the :class:`Benefits` agreed. Statuses
themselves are :class:`borderlink.model.cooperation.AeoStatus` records, issued here or received
from the partner; the MRA's mapping table turns the partner's trader ids into the EORI/TIN
declared here. :class:`TrustedTrader` is one id declared here with the benefit it earns.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from types import MappingProxyType
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Role = Literal["importer", "exporter", "declarant", "carrier"]
ROLE_COLUMNS: Mapping[str, str] = MappingProxyType(
    {
        "importer": "importer_id",
        "exporter": "exporter_id",
        "declarant": "declarant_id",
        "carrier": "carrier_id",
    }
)


class Benefits(BaseModel):
    """What an MRA grants a recognised AEO's declarations (one means none of that benefit)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    risk_weight: float = Field(
        default=1.0, gt=0.0, le=1.0, description="The risk is multiplied by this (0.5 halves it)"
    )
    document_checks: float = Field(
        default=1.0,
        ge=0.0,
        le=1.0,
        description="Share of documentary (yellow) checks by risk that are kept (0.5: half)",
    )
    priority_inspection: bool = Field(
        default=False, description="Inspected first when selected (reason `priority`)"
    )

    @property
    def any(self) -> bool:
        return self.risk_weight < 1.0 or self.document_checks < 1.0 or self.priority_inspection


class Mra(BaseModel):
    """A mutual recognition arrangement (or this node's own AEO programme), as data."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    mra_id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:-]+$")
    title: str = Field(min_length=1, max_length=200, description="e.g. the Atlantis-Borduria MRA")
    partner: str = Field(
        min_length=1,
        max_length=64,
        description="Node id whose AEO statuses are recognised; this node's own id: its programme",
    )
    programmes: tuple[str, ...] = Field(
        min_length=1, description="Programmes recognised, e.g. AEOS, AEOF (AEOC is not security)"
    )
    roles: tuple[Role, ...] = Field(
        default=("importer", "exporter"), min_length=1, description="Parties the benefit follows"
    )
    benefits: Benefits
    shared_ids: bool = Field(
        default=False,
        description="The partner's trader ids are the ids declared here (both use EORI, say); "
        "otherwise only the mapping table matches them",
    )
    active: bool = True
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None
    joint_committee: str | None = Field(
        default=None, description="Who reviews it (shown on the public portal)"
    )
    how_to_apply: str | None = Field(
        default=None, description="How a trader becomes an AEO under it (public)"
    )

    @model_validator(mode="after")
    def _consistent(self) -> Mra:
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            raise ValueError("valid_until must not be before valid_from")
        if len(set(self.roles)) != len(self.roles):
            raise ValueError("roles must be distinct")
        return self

    def in_force(self, on: dt.date) -> bool:
        return (
            self.active
            and (self.valid_from is None or self.valid_from <= on)
            and (self.valid_until is None or on <= self.valid_until)
        )

    def as_document(self) -> dict[str, object]:
        return self.model_dump(mode="json")


class TrustedTrader(BaseModel):
    """An id declared here that an AEO status in good standing makes trusted under one MRA."""

    model_config = ConfigDict(frozen=True)

    party_id: str = Field(description="EORI/TIN as declared here")
    mra_id: str
    mra_title: str
    programme: str
    status_id: str = Field(description="The AEO status record behind it")
    roles: tuple[Role, ...]
    benefits: Benefits
    valid_from: dt.date
    valid_until: dt.date | None = None

    def covers(self, on: dt.date) -> bool:
        return self.valid_from <= on and (self.valid_until is None or on <= self.valid_until)


def trader_key(value: str) -> str:
    """An EORI or TIN as compared: upper case, without the separators people type."""
    return "".join(ch for ch in value.upper() if ch.isalnum())
