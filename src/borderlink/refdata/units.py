"""Units of measure: UN/ECE Recommendation 20 codes that customs declarations commonly carry."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

# code → name. The supplementary units of the HS and the WCO Data Model's common quantity units.
UNIT_NAMES: Mapping[str, str] = MappingProxyType(
    {
        "KGM": "kilogram",
        "GRM": "gram",
        "TNE": "tonne",
        "LTR": "litre",
        "MLT": "millilitre",
        "MTQ": "cubic metre",
        "MTK": "square metre",
        "MTR": "metre",
        "KMT": "kilometre",
        "H87": "piece",
        "C62": "one (unit)",
        "NAR": "number of articles",
        "PCE": "piece",
        "NPR": "number of pairs",
        "PR": "pair",
        "DZN": "dozen",
        "SET": "set",
        "CT": "carton",
        "CTM": "metric carat",
        "KWH": "kilowatt hour",
        "TJ": "terajoule",
        "LPA": "litre of pure alcohol",
        "KNS": "kilogram of named substance",
        "GFI": "gram of fissile isotopes",
        "CEN": "hundred",
        "MIL": "thousand",
        "MWH": "megawatt hour",
        "HLT": "hectolitre",
    }
)

UNITS: frozenset[str] = frozenset(UNIT_NAMES)
