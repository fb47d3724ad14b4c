"""Harmonized System commodity codes and edition names.

One rule everywhere: an HS code has 6 digits (the international subheading) or 8 or 10 (national
tariff lines built on it); separators people type (``8517.13``, ``8517 13``, ``8517-13``) go.
Whether the code exists in a nomenclature is for the reference data to say, not the type.
"""

from __future__ import annotations

import polars as pl

from borderlink.model.types._base import ValueType

HS_SHAPE = r"^\d{6}(\d{2}|\d{4})?$"


class HsCodeType(ValueType):
    name = "hs_code"
    description = "HS commodity code: 6, 8 or 10 digits (separators . - and spaces are removed)"
    reason = "malformed_hs_code"
    message = "an HS code has 6, 8 or 10 digits: {value!r}"
    coded = True
    pattern = HS_SHAPE
    example = "851713"

    def normalise(self, text: pl.Expr) -> pl.Expr:
        return text.str.replace_all(r"[.\s\-]", "")

    def accepts(self, normalised: pl.Expr) -> pl.Expr:
        return normalised.str.contains(HS_SHAPE)


class HsEditionType(ValueType):
    name = "hs_edition"
    description = "HS edition, e.g. HS2022 (2022, hs-2022 and HS_2022 mean the same)"
    reason = "malformed_hs_edition"
    message = "not an HS edition name (HS and a year): {value!r}"
    coded = True
    pattern = r"^HS\d{4}$"
    example = "HS2022"

    def normalise(self, text: pl.Expr) -> pl.Expr:
        cleaned = text.str.to_uppercase().str.replace_all(r"[\s_\-]", "")
        return (
            pl.when(cleaned.str.contains(r"^\d{4}$"))
            .then(pl.lit("HS") + cleaned)
            .otherwise(cleaned)
        )

    def accepts(self, normalised: pl.Expr) -> pl.Expr:
        return normalised.str.contains(r"^HS\d{4}$")
