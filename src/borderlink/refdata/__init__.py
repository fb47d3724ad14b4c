"""Reference data: HS nomenclature (editions, correlations), countries, currencies, units,
locations, exchange rates; lookups and validation. Pure functions over files and frames.

Offers :class:`RefData` (the snapshot a validator uses) and :func:`builtin` (what ships with the
packages: HS 2022, ISO 3166, ISO 4217); the parsers :func:`parse_hs`, :func:`parse_correlation`,
:func:`parse_rates`, :func:`read_locations`; the HS tree (:func:`ancestors`,
:func:`descendants`); correlation look-ups (:func:`correlation_maps`); currency conversion
(:func:`convert`, :func:`convert_frame`); country and currency look-ups.
"""

from borderlink.refdata.correlation import (
    CORRELATION_SCHEMA,
    RELATIONSHIPS,
    correlation_maps,
    parse_correlation,
)
from borderlink.refdata.countries import Country, Currency, country, currency
from borderlink.refdata.hierarchy import ancestors, children_map, descendants, parent_map
from borderlink.refdata.hs import (
    HS_COLUMNS,
    NOMENCLATURE_SCHEMA,
    builtin_nomenclature,
    edition_from_name,
    is_filler,
    normalise_code,
    normalise_edition,
    parse_hs,
)
from borderlink.refdata.locode import LOCATION_SCHEMA, parse_locations, read_locations
from borderlink.refdata.rates import (
    RATE_SCHEMA,
    convert,
    convert_frame,
    merge_rates,
    parse_rates,
    rate_on,
    rate_table,
    rates_frame,
)
from borderlink.refdata.snapshot import BUILTIN_HS_EDITION, RefData, builtin
from borderlink.refdata.units import UNIT_NAMES, UNITS

__all__ = [
    "BUILTIN_HS_EDITION",
    "CORRELATION_SCHEMA",
    "HS_COLUMNS",
    "LOCATION_SCHEMA",
    "NOMENCLATURE_SCHEMA",
    "RATE_SCHEMA",
    "RELATIONSHIPS",
    "UNITS",
    "UNIT_NAMES",
    "Country",
    "Currency",
    "RefData",
    "ancestors",
    "builtin",
    "builtin_nomenclature",
    "children_map",
    "convert",
    "convert_frame",
    "correlation_maps",
    "country",
    "currency",
    "descendants",
    "edition_from_name",
    "is_filler",
    "merge_rates",
    "normalise_code",
    "normalise_edition",
    "parent_map",
    "parse_correlation",
    "parse_hs",
    "parse_locations",
    "parse_rates",
    "rate_on",
    "rate_table",
    "rates_frame",
    "read_locations",
]
