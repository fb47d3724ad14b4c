"""A goods declaration as the WCO Data Model sees it: a header, parties, transport, goods items.

Field names follow the WCO DM classes (Declaration, Party, BorderTransportMeans,
GovernmentAgencyGoodsItem) in plain English; the WCO DM element id is in each field's
description where one exists.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class PartyRole(StrEnum):
    IMPORTER = "importer"
    EXPORTER = "exporter"  # the seller/consignor abroad
    DECLARANT = "declarant"
    CARRIER = "carrier"  # carrier or courier


class TransportMode(StrEnum):
    """UN/ECE Recommendation 19 modes of transport."""

    NOT_STATED = "0"
    SEA = "1"
    RAIL = "2"
    ROAD = "3"
    AIR = "4"
    POST = "5"
    MULTIMODAL = "6"
    FIXED_INSTALLATION = "7"
    INLAND_WATER = "8"
    OTHER = "9"


class Party(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str = Field(min_length=1, max_length=64, description="Trader identifier (WCO DM R014 etc.)")
    role: PartyRole
    name: str | None = None
    country: str | None = Field(default=None, description="ISO 3166-1 alpha-2")
    aeo: bool | None = Field(default=None, description="Authorised Economic Operator status")


class Transport(BaseModel):
    model_config = ConfigDict(frozen=True)

    mode: str | None = Field(
        default=None, description="Mode of transport at the border (WCO DM T006)"
    )
    conveyance: str | None = Field(default=None, description="Conveyance reference, e.g. voyage")
    departure_country: str | None = Field(default=None, description="ISO 3166-1 alpha-2 (R015)")
    loading_location: str | None = Field(default=None, description="UN/LOCODE of loading (L067)")
    discharge_location: str | None = Field(default=None, description="UN/LOCODE of discharge")


class GoodsItem(BaseModel):
    model_config = ConfigDict(frozen=True)

    item_no: int = Field(ge=1, description="Goods item sequence number (WCO DM 006)")
    hs_code: str = Field(pattern=r"^\d{6}(\d{2,4})?$", description="Commodity code (WCO DM 145)")
    hs_edition: str = "HS2022"
    description: str | None = None
    origin_country: str | None = Field(default=None, description="ISO 3166-1 alpha-2 (WCO DM 063)")
    origin_marking: str | None = Field(default=None, description="Origin marking/indicator code")
    net_mass_kg: float | None = Field(default=None, ge=0)
    quantity: float | None = Field(default=None, ge=0)
    quantity_unit: str | None = Field(default=None, description="UN/ECE Rec. 20 unit code")
    value: float | None = Field(default=None, ge=0, description="Customs value (WCO DM 114)")
    currency: str | None = Field(default=None, description="ISO 4217")
    duty_rate: float | None = None
    duty_type: str | None = None
    aeo: bool | None = Field(default=None, description="The importer's AEO status on this item")


class Declaration(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str = Field(min_length=1, max_length=64, description="Declaration reference (WCO DM D014)")
    type: str = Field(default="IM", description="Declaration type, e.g. IM, EX (WCO DM D013)")
    date: dt.date = Field(description="Acceptance date (WCO DM D011)")
    office: str | None = Field(default=None, description="Customs office of lodgement (WCO DM 017)")
    procedure: str | None = Field(default=None, description="Customs procedure (WCO DM 161)")
    import_type: str | None = None
    import_use: str | None = None
    payment_type: str | None = None
    parties: tuple[Party, ...] = ()
    transport: Transport = Transport()
    items: tuple[GoodsItem, ...] = Field(min_length=1)

    def party(self, role: PartyRole) -> Party | None:
        return next((p for p in self.parties if p.role == role), None)
