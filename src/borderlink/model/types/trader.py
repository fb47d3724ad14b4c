"""Trader identifiers: the EU EORI number and a national TIN (taxpayer identification number).

EORI: the issuing country's code and up to 15 letters or digits (``DE1234567``; ``XI`` for
Northern Ireland, ``EL`` beside ``GR`` for Greece). A TIN has no international shape: up to 17
letters or digits once the separators people type are gone, as the WCO DM trader id allows.
"""

from __future__ import annotations

import polars as pl

from borderlink.model.types._base import ValueType
from borderlink.model.types.country import ISO_CODES

EORI_SHAPE = r"^[A-Z]{2}[A-Z0-9]{1,15}$"
EORI_PREFIXES: tuple[str, ...] = tuple(sorted(ISO_CODES | {"XI", "EL"}))
TIN_SHAPE = r"^[A-Z0-9]{1,17}$"


class EoriType(ValueType):
    name = "eori"
    description = "EORI number: issuing country code and up to 15 letters or digits"
    reason = "malformed_eori"
    message = "not an EORI number (country code and up to 15 letters or digits): {value!r}"
    coded = True
    pattern = EORI_SHAPE
    example = "DE123456789012345"

    def normalise(self, text: pl.Expr) -> pl.Expr:
        return text.str.to_uppercase().str.replace_all(r"\s", "")

    def accepts(self, normalised: pl.Expr) -> pl.Expr:
        return normalised.str.contains(EORI_SHAPE) & normalised.str.slice(0, 2).is_in(EORI_PREFIXES)


class TinType(ValueType):
    name = "tin"
    description = "Taxpayer identification number: up to 17 letters or digits"
    reason = "malformed_tin"
    message = "not a TIN (up to 17 letters or digits): {value!r}"
    coded = True
    pattern = TIN_SHAPE
    example = "123456789"

    def normalise(self, text: pl.Expr) -> pl.Expr:
        return text.str.to_uppercase().str.replace_all(r"[\s\-./]", "")

    def accepts(self, normalised: pl.Expr) -> pl.Expr:
        return normalised.str.contains(TIN_SHAPE)
