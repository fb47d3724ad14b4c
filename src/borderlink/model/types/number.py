"""Numbers: decimals (masses, quantities, rates), amounts of money, whole numbers, yes/no.

A number is a finite decimal with a point (``12.5``; ``12,5`` and ``12.5kg`` are refused, so a
misread column is seen, not guessed at). Ranges (not negative, 0-9) belong to the field that
uses the type, in the declaration schema.
"""

from __future__ import annotations

from typing import ClassVar

import polars as pl

from borderlink.model.types._base import ValueType

TRUE = ("true", "1", "yes", "y", "t")
FALSE = ("false", "0", "no", "n", "f")


class NumberType(ValueType):
    name = "number"
    description = "Decimal number with a point as separator, e.g. 12.5"
    reason = "not_a_number"
    message = "not a number: {value!r}"
    dtype: ClassVar[type[pl.DataType]] = pl.Float64
    json_type = "number"
    example = "12.5"

    def typed(self, text: pl.Expr) -> pl.Expr:
        return text.cast(pl.Float64, strict=False)

    def normalise(self, text: pl.Expr) -> pl.Expr:
        return self.typed(text).cast(pl.String)

    def invalid(self, text: pl.Expr) -> pl.Expr:
        parsed = self.typed(text)
        return (text.is_not_null() & (parsed.is_null() | ~parsed.is_finite())).fill_null(False)


class MoneyType(NumberType):
    name = "money"
    description = "Amount of money, in the currency given beside it, e.g. 1000.00"
    example = "1000.00"


class IntegerType(NumberType):
    name = "integer"
    description = "Whole number, e.g. 1 (1.0 is accepted as 1)"
    reason = "not_an_integer"
    message = "not a whole number: {value!r}"
    dtype = pl.Int64
    json_type = "integer"
    example = "1"

    def typed(self, text: pl.Expr) -> pl.Expr:
        return text.cast(pl.Float64, strict=False).cast(pl.Int64, strict=False)

    def invalid(self, text: pl.Expr) -> pl.Expr:
        parsed = text.cast(pl.Float64, strict=False)
        return (text.is_not_null() & (parsed.is_null() | (parsed.round(0) != parsed))).fill_null(
            False
        )


class BooleanType(ValueType):
    name = "boolean"
    description = "Yes or no: true/false, yes/no, y/n, t/f or 1/0"
    reason = "not_a_boolean"
    message = "not yes/no, true/false or 1/0: {value!r}"
    dtype = pl.Boolean
    json_type = "boolean"
    example = "true"

    def typed(self, text: pl.Expr) -> pl.Expr:
        lower = text.str.to_lowercase()
        return pl.when(lower.is_in(TRUE)).then(True).when(lower.is_in(FALSE)).then(False)

    def normalise(self, text: pl.Expr) -> pl.Expr:
        return self.typed(text).cast(pl.String).str.to_lowercase()
