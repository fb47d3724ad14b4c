"""Currencies: ISO 4217 alphabetic codes as ``pycountry`` ships them."""

from __future__ import annotations

import polars as pl
import pycountry

from borderlink.model.types._base import ValueType

ISO_CODES: frozenset[str] = frozenset(c.alpha_3 for c in pycountry.currencies)
_SORTED: tuple[str, ...] = tuple(sorted(ISO_CODES))


class CurrencyType(ValueType):
    name = "currency"
    description = "Currency: ISO 4217 alphabetic code"
    reason = "unknown_currency"
    message = "not an ISO 4217 currency code: {value!r}"
    coded = True
    pattern = r"^[A-Z]{3}$"
    example = "USD"

    def normalise(self, text: pl.Expr) -> pl.Expr:
        return text.str.to_uppercase()

    def accepts(self, normalised: pl.Expr) -> pl.Expr:
        return normalised.is_in(_SORTED)

    @property
    def codes(self) -> frozenset[str]:
        return ISO_CODES
