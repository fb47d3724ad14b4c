"""Dates: ISO 8601 ``YYYY-MM-DD`` (a time after it is ignored), or a source's own format."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated

import polars as pl
from pydantic import BeforeValidator

from borderlink.model.types._base import ValueType

_ISO = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_date(value: object) -> object:
    """A date, or ``YYYY-MM-DD`` text: pydantic alone reads a number, or ``"1700000000"``, as
    Unix time, and a client's mistake would quietly become a date in 1970 or 2023."""
    if isinstance(value, dt.date) or (isinstance(value, str) and _ISO.fullmatch(value)):
        return value
    raise ValueError("a date is written YYYY-MM-DD")


# A date in a request (query, path or body): ISO 8601 only, as its schema says (format: date).
IsoDate = Annotated[dt.date, BeforeValidator(_iso_date)]


class DateType(ValueType):
    name = "date"
    description = "Date: YYYY-MM-DD (ISO 8601; a time after the date is ignored)"
    reason = "malformed_date"
    dtype = pl.Date
    pattern = r"^\d{4}-\d{2}-\d{2}$"
    example = "2024-03-01"

    def __init__(self, format: str | None = None) -> None:
        self.format = format  # a strftime format, as a column mapping declares it
        self.message = f"not a date ({format or 'YYYY-MM-DD'}): {{value!r}}"

    def with_format(self, format: str | None) -> DateType:
        """The same type reading dates written as ``format`` (strftime)."""
        return DateType(format)

    def typed(self, text: pl.Expr) -> pl.Expr:
        if self.format:
            return text.str.to_date(self.format, strict=False)
        return text.str.slice(0, 10).str.to_date("%Y-%m-%d", strict=False)

    def normalise(self, text: pl.Expr) -> pl.Expr:
        return self.typed(text).dt.to_string("%Y-%m-%d")

    def invalid(self, text: pl.Expr) -> pl.Expr:
        return (text.is_not_null() & self.typed(text).is_null()).fill_null(False)
