"""UN/LOCODE: a country code and three letters or digits 2-9 (``NLRTM``, ``DE HAM``).

Only the shape is the type's; whether the place exists is the loaded code list's to say. A
malformed location is a warning: the declaration is kept, flagged.
"""

from __future__ import annotations

import polars as pl

from borderlink.model.ingest import Severity
from borderlink.model.types._base import ValueType

LOCODE_SHAPE = r"^[A-Z]{2}[A-Z2-9]{3}$"


class LocodeType(ValueType):
    name = "locode"
    description = "UN/LOCODE: 2-letter country and 3 characters (A-Z, 2-9); spaces are removed"
    reason = "malformed_location"
    message = "not a UN/LOCODE: {value!r}"
    severity = Severity.WARNING
    pattern = LOCODE_SHAPE
    example = "NLRTM"

    def normalise(self, text: pl.Expr) -> pl.Expr:
        return text.str.to_uppercase().str.replace_all(" ", "")

    def accepts(self, normalised: pl.Expr) -> pl.Expr:
        return normalised.str.contains(LOCODE_SHAPE)
