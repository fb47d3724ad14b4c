"""Units of measure: UN/ECE Recommendation 20 common codes (``KGM``, ``NAR``, ``LTR``).

The type knows the shape (1-3 upper-case letters or digits); which codes a node accepts is the
reference data's list (``refdata.UNITS``), which ingest checks the normalised code against.
"""

from __future__ import annotations

import polars as pl

from borderlink.model.types._base import ValueType

UNIT_SHAPE = r"^[A-Z0-9]{1,3}$"


class UnitType(ValueType):
    name = "unit"
    description = "Unit of measure: UN/ECE Recommendation 20 code, e.g. KGM, NAR"
    reason = "malformed_unit"
    message = "not a UN/ECE Rec. 20 unit code: {value!r}"
    pattern = UNIT_SHAPE
    example = "NAR"

    def normalise(self, text: pl.Expr) -> pl.Expr:
        return text.str.to_uppercase()

    def accepts(self, normalised: pl.Expr) -> pl.Expr:
        return normalised.str.contains(UNIT_SHAPE)
