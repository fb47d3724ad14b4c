"""The declaration API's response models: a declaration's own fields are read off the schema.

Each view's declaration fields come from ``model.DECLARATION`` (in its order, typed by the
field's value type, described as the schema describes it) and are null where the store allows
it; what a view adds (parties by role, the outcome, the history) is declared here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import polars as pl
from pydantic import BaseModel, Field, create_model
from sqlalchemy import Table

from borderlink.model import DECLARATION, InspectionMethod
from borderlink.store.tables import declarations, goods_items

# Python types of the value types' Polars types, for the response models read off the schema.
_PYTHON_TYPES: Mapping[type[pl.DataType], type] = MappingProxyType(
    {pl.String: str, pl.Date: dt.date, pl.Float64: float, pl.Int64: int, pl.Boolean: bool}
)


def _columns_model(
    name: str, columns: Iterable[str], table: Table, derived: Mapping[str, tuple[type, str]]
) -> type[BaseModel]:
    """A model with one field per flat column of the declaration schema (or ``derived``: the
    store's own columns, with their type and description), typed by the column's value type,
    null where the store allows it, described as the schema describes it."""
    fields: dict[str, Any] = {}
    for column in columns:
        if column in derived:
            python, description = derived[column]
        else:
            field = DECLARATION.column(column)
            python, description = _PYTHON_TYPES[field.type.dtype], field.summary
        annotation = python | None if table.c[column].nullable else python
        fields[column] = (annotation, Field(description=description))
    return create_model(name, **fields)


def _after(columns: Iterable[str], inserted: Mapping[str, str]) -> Iterator[str]:
    """``columns``, each followed by the column ``inserted`` puts after it."""
    for column in columns:
        yield column
        if column in inserted:
            yield inserted[column]


HEADER_COLUMNS = DECLARATION.columns("header", "transport")  # a declaration view's own
SUMMARY_COLUMNS = (  # a declaration's in a list
    *("declaration_id", "declaration_type", "declared_on", "office_id", "procedure"),
    *("transport_mode", "departure_country", "importer_id"),
)
_ITEM_DERIVED: Mapping[str, tuple[type, str]] = MappingProxyType(
    {
        "hs_code_current": (str, "The code in the node's current HS edition"),
        "value_reporting": (float, "The value in the node's reporting currency"),
    }
)

if TYPE_CHECKING:  # the fields below exist at run time only; type checkers see plain models
    _SummaryColumns = BaseModel
    _ItemColumns = BaseModel
    _HeaderColumns = BaseModel
else:
    _SummaryColumns = _columns_model("SummaryColumns", SUMMARY_COLUMNS, declarations, {})
    _ItemColumns = _columns_model(
        "ItemColumns",
        _after(
            DECLARATION.columns("items"),
            {"hs_edition": "hs_code_current", "currency": "value_reporting"},
        ),
        goods_items,
        _ITEM_DERIVED,
    )
    _HeaderColumns = _columns_model("HeaderColumns", HEADER_COLUMNS, declarations, {})


class DeclarationSummary(_SummaryColumns):
    """One declaration in a list: its header fields (the schema's), item count and value."""

    items: int
    value_reporting: float | None
    illicit: bool | None = Field(description="The inspection outcome; null when not inspected")


class PartyView(BaseModel):
    role: str
    party_id: str | None
    name: str | None = None
    country: str | None = None
    aeo: bool | None = None


class ItemView(_ItemColumns):
    """A goods item: the schema's item fields, the current HS code, the reporting value."""

    flags: list[str]


class OutcomeView(BaseModel):
    illicit: bool
    severity: int
    revenue_recovered: float | None
    inspected_on: dt.date | None
    officer: str | None
    note: str | None
    source: str
    recorded_at: dt.datetime
    method: InspectionMethod | None = None


class HistoryEntry(BaseModel):
    at: dt.datetime
    actor: str
    action: str
    reason: str | None


class DeclarationView(_HeaderColumns):
    """A declaration: the schema's header and transport fields, its parties, items, outcome."""

    parties: list[PartyView]
    items: list[ItemView]
    outcome: OutcomeView | None
    history: list[HistoryEntry] = Field(description="What was done to it (not who read it)")
    redacted: bool = Field(description="Nominal data withheld from this reader")
