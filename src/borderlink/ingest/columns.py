"""The canonical flat layout: one row per goods item, header fields repeated; names = table columns.

Every reader produces these columns as text; validation turns them into the types below.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

import polars as pl

HEADER: tuple[str, ...] = (
    "declaration_id",
    "declaration_type",
    "declared_on",
    "office_id",
    "procedure",
    "import_type",
    "import_use",
    "payment_type",
    "transport_mode",
    "conveyance",
    "departure_country",
    "loading_location",
    "discharge_location",
    "declarant_id",
    "importer_id",
    "exporter_id",
    "carrier_id",
)
ITEM: tuple[str, ...] = (
    "item_no",
    "hs_code",
    "hs_edition",
    "description",
    "origin_country",
    "origin_marking",
    "net_mass_kg",
    "quantity",
    "quantity_unit",
    "value",
    "currency",
    "duty_rate",
    "duty_type",
    "aeo",
)
OUTCOME: tuple[str, ...] = ("illicit", "severity", "revenue_recovered")
PARTY_EXTRAS: tuple[str, ...] = ("importer_name", "exporter_name", "exporter_country")

# What a source may provide (through a mapping or a constant).
INPUT: tuple[str, ...] = HEADER + ITEM + OUTCOME + PARTY_EXTRAS
# What validation adds.
DERIVED: tuple[str, ...] = ("hs_code_current", "value_reporting", "flags", "row_hash")

REQUIRED: tuple[str, ...] = ("declaration_id", "declared_on", "item_no", "hs_code")

FLOATS: tuple[str, ...] = ("net_mass_kg", "quantity", "value", "duty_rate", "revenue_recovered")
INTEGERS: tuple[str, ...] = ("item_no", "severity")
BOOLEANS: tuple[str, ...] = ("aeo", "illicit")
DATES: tuple[str, ...] = ("declared_on",)
COUNTRIES: tuple[str, ...] = ("departure_country", "origin_country", "exporter_country")
LOCATIONS: tuple[str, ...] = ("loading_location", "discharge_location")

DTYPES: Mapping[str, type[pl.DataType] | pl.DataType] = MappingProxyType(
    {
        **{c: pl.String for c in INPUT},
        **{c: pl.Float64 for c in FLOATS},
        **{c: pl.Int64 for c in INTEGERS},
        **{c: pl.Boolean for c in BOOLEANS},
        **{c: pl.Date for c in DATES},
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
