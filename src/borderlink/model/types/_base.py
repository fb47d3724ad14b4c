"""What every value type offers: one set of rules, applied to a whole Polars column or one value.

A type is written once, as Polars expressions over text (``normalise``, ``invalid``, ``typed``);
the single-value methods (``validate``, ``clean``, ``check``) run the very same expressions on
a one-row column, so a value the API accepts is a value ingest accepts, by construction.
"""

from __future__ import annotations

from typing import ClassVar, NamedTuple, overload

import polars as pl

from borderlink.model.ingest import Severity


class Check(NamedTuple):
    """One value, judged: its clean form, or ``None`` and the reason it was refused."""

    value: str | None
    reason: str | None = None


class ValueType:
    """A kind of value (an HS code, a country, a date, ...): how to clean and judge it.

    Subclasses set the class attributes and override ``normalise`` (text → canonical text),
    ``accepts`` (canonical text → valid?) and, for non-text types, ``typed``/``invalid``.
    """

    name: ClassVar[str]
    description: ClassVar[str]
    reason: ClassVar[str]  # the rejection code, stable: clients and the rejects table key on it
    message: str = "not valid: {value!r}"  # formatted with the raw value
    dtype: ClassVar[type[pl.DataType]] = pl.String
    json_type: ClassVar[str] = "string"
    severity: ClassVar[Severity] = Severity.ERROR
    # Judged after normalisation (CHN → CN, 8517.13 → 851713): the raw width says nothing.
    coded: ClassVar[bool] = False
    pattern: ClassVar[str | None] = None  # the canonical form, for the docs and the JSON schema
    example: ClassVar[str | None] = None

    def normalise(self, text: pl.Expr) -> pl.Expr:
        """The canonical text of each value (invalid ones may come out as anything)."""
        return text

    def accepts(self, normalised: pl.Expr) -> pl.Expr:
        """True where a normalised value is valid."""
        return normalised.is_not_null()

    def invalid(self, text: pl.Expr) -> pl.Expr:
        """True where a value is present and not valid; never null (missing is not invalid)."""
        return (text.is_not_null() & ~self.accepts(self.normalise(text))).fill_null(False)

    def typed(self, text: pl.Expr) -> pl.Expr:
        """The values in their Polars type (``dtype``): what ingest stores."""
        return self.normalise(text)

    @overload
    def clean_column(self, column: pl.Expr) -> tuple[pl.Expr, pl.Expr]: ...
    @overload
    def clean_column(self, column: pl.Series) -> tuple[pl.Series, pl.Series]: ...
    def clean_column(
        self, column: pl.Expr | pl.Series
    ) -> tuple[pl.Expr, pl.Expr] | tuple[pl.Series, pl.Series]:
        """(canonical text, null where invalid; the invalid mask) for a column of text."""
        if isinstance(column, pl.Series):
            frame = pl.DataFrame({"value": column.cast(pl.String)})
            cleaned, invalid = self.clean_column(pl.col("value"))
            out = frame.select(cleaned.alias(column.name), invalid.alias("invalid"))
            return out.to_series(0), out.to_series(1)
        text = column.cast(pl.String)
        invalid = self.invalid(text)
        return pl.when(invalid).then(None).otherwise(self.normalise(text)), invalid

    def check(self, value: object) -> Check:
        """One value through the column rules: its clean text, or the reason it is refused."""
        if value is None or value == "":
            return Check(None, "missing")
        if isinstance(value, bool):
            value = "true" if value else "false"
        cleaned, invalid = self.clean_column(pl.Series("value", [str(value)], dtype=pl.String))
        if invalid[0]:
            return Check(None, self.reason)
        return Check(cleaned[0])

    def validate(self, value: object) -> bool:
        return self.check(value).reason is None

    def clean(self, value: object) -> str | None:
        """The canonical text of a valid value; ``None`` for an invalid or missing one."""
        return self.check(value).value

    def explain(self, value: object) -> str:
        """The message a person reads for a refused value."""
        return self.message.format(value=value)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name}>"
