"""The canonical flat layout: one row per goods item, header fields repeated; names = table columns.

Read off the declaration schema (``model.DECLARATION``). Every reader produces these columns as
text; validation turns them into the types below. The order of ``INPUT`` is part of each
stored row's hash: a new column goes at the end, never in between.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

import polars as pl

from borderlink.model import DECLARATION, PARTIES, Field

FIELDS: Mapping[str, Field] = MappingProxyType({f.name: f for f in DECLARATION.fields()})

HEADER: tuple[str, ...] = DECLARATION.columns("header", "transport") + tuple(
    party.get("id").name for party in PARTIES
)
ITEM: tuple[str, ...] = DECLARATION.columns("items")
OUTCOME: tuple[str, ...] = DECLARATION.columns("outcome")
PARTY_EXTRAS: tuple[str, ...] = tuple(
    f.name for party in PARTIES for f in party if f.key != "id" and f.flat
)

# What a source may provide (through a mapping or a constant).
INPUT: tuple[str, ...] = HEADER + ITEM + OUTCOME + PARTY_EXTRAS
# What validation adds.
DERIVED: tuple[str, ...] = ("hs_code_current", "value_reporting", "flags", "row_hash")

REQUIRED: tuple[str, ...] = tuple(c for c in INPUT if FIELDS[c].required)


def _typed(dtype: type[pl.DataType]) -> tuple[str, ...]:
    return tuple(c for c in INPUT if FIELDS[c].type.dtype == dtype)


def _of_type(name: str) -> tuple[str, ...]:
    return tuple(c for c in INPUT if FIELDS[c].type.name == name)


FLOATS: tuple[str, ...] = _typed(pl.Float64)
INTEGERS: tuple[str, ...] = _typed(pl.Int64)
BOOLEANS: tuple[str, ...] = _typed(pl.Boolean)
DATES: tuple[str, ...] = _typed(pl.Date)
COUNTRIES: tuple[str, ...] = _of_type("country")
LOCATIONS: tuple[str, ...] = _of_type("locode")

DTYPES: Mapping[str, type[pl.DataType] | pl.DataType] = MappingProxyType(
    {
        **{c: FIELDS[c].type.dtype for c in INPUT},
        "hs_code_current": pl.String,
        "value_reporting": pl.Float64,
        "flags": pl.String,
        "row_hash": pl.String,
    }
)

# Columns of the stored tables, in table order, as the writers stage them.
DECLARATION_COLUMNS: tuple[str, ...] = HEADER
GOODS_ITEM_COLUMNS: tuple[str, ...] = (
    "declaration_id",
    "item_no",
    "hs_code",
    "hs_edition",
    "hs_code_current",
    "description",
    "origin_country",
    "origin_marking",
    "net_mass_kg",
    "quantity",
    "quantity_unit",
    "value",
    "currency",
    "value_reporting",
    "duty_rate",
    "duty_type",
    "aeo",
    "flags",
    "row_hash",
)
