"""The parts every record that travels between nodes shares: its envelope (:class:`RecordBase`),
classification, TLP, category, route, and the ``nominal`` mark on fields naming people or
companies."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, model_validator

NOMINAL = {"nominal": True}


class Classification(StrEnum):
    """Sensitivity of a record, lowest first (ordered by :data:`CLASSIFICATION_ORDER`)."""

    PUBLIC = "public"
    RESTRICTED = "restricted"
    CONFIDENTIAL = "confidential"
    SECRET = "secret"  # noqa: S105 - a classification level, not a password


CLASSIFICATION_ORDER = {c: i for i, c in enumerate(Classification)}


class Tlp(StrEnum):
    """Traffic Light Protocol 2.0 labels."""

    CLEAR = "clear"
    GREEN = "green"
    AMBER = "amber"
    AMBER_STRICT = "amber+strict"
    RED = "red"


class Category(StrEnum):
    """Kinds of data an agreement may let flow."""

    ALERT = "alert"
    SEIZURE = "seizure"
    TRADER_IDENTITY = "trader-identity"
    AEO_STATUS = "aeo-status"
    ASSISTANCE_REQUEST = "assistance-request"
    ASSISTANCE_REPLY = "assistance-reply"
    OPERATION = "operation"
    OPERATION_REPORT = "operation-report"


class Route(BaseModel):
    """Where goods came from and went through; every field optional (a scope, not a trace)."""

    model_config = ConfigDict(frozen=True)

    departure_country: str | None = Field(default=None, description="ISO 3166-1 alpha-2")
    loading_location: str | None = Field(default=None, description="UN/LOCODE")
    discharge_location: str | None = Field(default=None, description="UN/LOCODE")
    transport_mode: str | None = Field(default=None, description="UN/ECE Rec. 19 code")


class RecordBase(BaseModel):
    """The envelope of every record that travels: id, issuer, version, classification, TLP."""

    model_config = ConfigDict(frozen=True)

    id: str = Field(description="STIX id, e.g. indicator--<uuid4> for an alert")
    issuer: str = Field(description="Node id of the administration that issued the record")
    created: dt.datetime
    modified: dt.datetime = Field(description="Version: a correction is a later `modified`")
    classification: Classification = Classification.RESTRICTED
    tlp: Tlp = Tlp.AMBER
    revoked: bool = False

    @property
    def category(self) -> Category:
        raise NotImplementedError

    @model_validator(mode="after")
    def _modified_not_before_created(self) -> RecordBase:
        if self.modified < self.created:
            raise ValueError("modified must not be before created")
        return self
