"""Exchange rates: reading a rate table, and converting values to the reporting currency.

A rate file is a CSV ``currency,valid_from,rate[,quote_currency]``: ``rate`` units of
``quote_currency`` buy one unit of ``currency`` from ``valid_from`` (ISO date) on, until the
currency's next row. ``quote_currency`` defaults to the node's reporting currency.

The conversion uses the latest rate whose ``valid_from`` is on or before the date: one value at a
time with :func:`convert`, a whole frame at once with :func:`convert_frame` (an as-of join).
A value already in the reporting currency converts at 1; one without a rate converts to null.
"""

from __future__ import annotations

import bisect
import datetime as dt
import math
from collections.abc import Iterable, Mapping
from pathlib import Path
from types import MappingProxyType

import polars as pl

from borderlink.refdata._csv import Check, first_failure, read_text_csv, require_rows
from borderlink.refdata.snapshot import RefData, builtin_currencies

RATE_SCHEMA: Mapping[str, pl.DataType] = MappingProxyType(
    {
        "currency": pl.String(),
        "quote_currency": pl.String(),
        "valid_from": pl.Date(),
        "rate": pl.Float64(),
    }
)

Rates = Mapping[str, tuple[tuple[dt.date, float], ...]]


def _rate_checks(currencies: list[str]) -> list[Check]:
    """The rules a rate row must pass, in the order a failure is reported."""
    key = pl.struct("currency", "quote_currency", "date")
    return [
        Check("currency", pl.col("currency").is_null(), "missing currency"),
        Check(
            "currency",
            ~pl.col("currency").is_in(currencies),
            "{value!r} is not an ISO 4217 currency code",
        ),
        Check(
            "quote_currency",
            ~pl.col("quote_currency").is_in(currencies),
            "{value!r} is not an ISO 4217 currency code",
        ),
        Check(
            "quote_currency",
            pl.col("quote_currency") == pl.col("currency"),
            "{value!r} is quoted in itself",
        ),
        Check("valid_from", pl.col("valid_from").is_null(), "missing date"),
        Check("valid_from", pl.col("date").is_null(), "{value!r} is not a date (YYYY-MM-DD)"),
        Check("rate", pl.col("rate").is_null(), "missing rate"),
        Check("rate", pl.col("number").is_null(), "{value!r} is not a number"),
        Check(
            "rate",
            ~pl.col("number").is_finite() | (pl.col("number") <= 0),
            "{value!r} is not a positive rate",
        ),
        Check(
            "rate",
            key.is_duplicated()
            & (pl.col("number").n_unique().over("currency", "quote_currency", "date") > 1),
            "a different rate for the same currency and date is given on another line",
        ),
    ]


def parse_rates(
    source: Path | str | bytes, *, default_quote: str, name: str | None = None
) -> pl.DataFrame:
    """Parse a rate file into a frame of :data:`RATE_SCHEMA`, sorted by currency, quote, date.

    Raises :class:`InvalidInput` naming the first bad line and field: a currency that is not
    ISO 4217, a date that is not ``YYYY-MM-DD``, a rate that is not a positive number, a
    currency quoted in itself, two different rates for the same currency and day.
    """
    label = name or (str(source) if not isinstance(source, bytes) else "<data>")
    raw = read_text_csv(source, required=("currency", "valid_from", "rate"), name=label)
    if "quote_currency" not in raw.columns:
        raw = raw.with_columns(quote_currency=pl.lit(None, pl.String))
    frame = raw.with_columns(
        pl.col("currency").str.to_uppercase(),
        pl.col("quote_currency").str.to_uppercase().fill_null(default_quote.upper()),
        date=pl.col("valid_from").str.to_date("%Y-%m-%d", strict=False),
        number=pl.col("rate").str.replace_all(r"[\s_]", "").cast(pl.Float64, strict=False),
    )
    first_failure(frame, _rate_checks(sorted(builtin_currencies())), name=label)
    require_rows(frame, name=label, what="rates")
    return (
        frame.unique(["currency", "quote_currency", "date"], keep="first")
        .select("currency", "quote_currency", valid_from="date", rate="number")
        .sort("currency", "quote_currency", "valid_from")
    )


def rate_table(
    frame: pl.DataFrame, reporting_currency: str
) -> dict[str, tuple[tuple[dt.date, float], ...]]:
    """``{currency: ((valid_from, rate in reporting currency), ...)}`` as :class:`RefData` keeps.

    Rows quoted in the reporting currency are used as they are; a currency quoted only the other
    way round (reporting currency in terms of it) gets the inverse rate.
    """
    direct = frame.filter(pl.col("quote_currency") == reporting_currency).select(
        "currency", "valid_from", "rate"
    )
    inverse = frame.filter(
        (pl.col("currency") == reporting_currency)
        & ~pl.col("quote_currency").is_in(direct["currency"].unique().to_list())
    ).select(currency="quote_currency", valid_from="valid_from", rate=1.0 / pl.col("rate"))
    table: dict[str, tuple[tuple[dt.date, float], ...]] = {}
    for part in (
        pl.concat([direct, inverse]).sort("currency", "valid_from").partition_by("currency")
    ):
        table[str(part["currency"][0])] = tuple(
            zip(part["valid_from"].to_list(), part["rate"].to_list(), strict=True)
        )
    return table


def rate_on(currency: str, on: dt.date, refdata: RefData) -> float | None:
    """Units of the reporting currency per unit of ``currency`` on a day; ``None`` if unknown."""
    if currency == refdata.reporting_currency:
        return 1.0
    history = refdata.rates.get(currency)
    if not history:
        return None
    at = bisect.bisect_right(history, on, key=lambda entry: entry[0])
    return history[at - 1][1] if at else None


def convert(
    value: float | None, currency: str | None, on: dt.date | None, refdata: RefData
) -> float | None:
    """``value`` in the reporting currency, or ``None`` when there is no rate for that day."""
    if value is None or currency is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if currency == refdata.reporting_currency:
        return float(value)
    if on is None:
        return None
    rate = rate_on(currency, on, refdata)
    return None if rate is None else value * rate


def rates_frame(refdata: RefData) -> pl.DataFrame:
    """The snapshot's rates as a frame ``currency, valid_from, rate`` sorted for an as-of join."""
    currencies: list[str] = []
    dates: list[dt.date] = []
    rates: list[float] = []
    for currency, history in refdata.rates.items():
        for valid_from, rate in history:
            currencies.append(currency)
            dates.append(valid_from)
            rates.append(rate)
    return pl.DataFrame(
        {"currency": currencies, "valid_from": dates, "rate": rates},
        schema={"currency": pl.String, "valid_from": pl.Date, "rate": pl.Float64},
    ).sort("currency", "valid_from")


def convert_frame(
    frame: pl.DataFrame,
    refdata: RefData,
    *,
    value_col: str = "value",
    currency_col: str = "currency",
    date_col: str = "declared_on",
    out_col: str = "value_reporting",
) -> pl.DataFrame:
    """``frame`` with ``out_col`` added (or replaced): each value in the reporting currency at the
    rate valid on its date; null where the value, currency or date is missing or no rate applies.
    Rows keep their order. Pure and vectorised: safe to run per partition."""
    dates = frame[date_col]
    if dates.dtype == pl.String:
        date_expr = pl.col(date_col).str.to_date("%Y-%m-%d", strict=False)
    else:
        date_expr = pl.col(date_col).cast(pl.Date, strict=False)
    index, key_currency, key_date, rate = "__row", "__currency", "__date", "__rate"
    keys = frame.select(
        pl.int_range(pl.len(), dtype=pl.UInt32).alias(index),
        pl.col(currency_col).cast(pl.String).alias(key_currency),
        date_expr.alias(key_date),
    )
    table = rates_frame(refdata).rename(
        {"currency": key_currency, "valid_from": key_date, "rate": rate}
    )
    dated = keys.filter(pl.col(key_date).is_not_null()).sort(key_currency, key_date)
    joined = dated.join_asof(
        table, on=key_date, by=key_currency, strategy="backward", check_sortedness=False
    )
    rates = (
        keys.select(index)
        .join(joined.select(index, rate), on=index, how="left", maintain_order="left")
        .get_column(rate)
    )
    value = pl.col(value_col).cast(pl.Float64, strict=False)
    same = pl.col(currency_col) == refdata.reporting_currency
    return (
        frame.with_columns(rates)
        .with_columns(
            pl.when(same.fill_null(False))
            .then(value)
            .otherwise(value * pl.col(rate))
            .alias(out_col)
        )
        .drop(rate)
    )


def merge_rates(
    *tables: Iterable[tuple[str, dt.date, float]],
) -> dict[str, tuple[tuple[dt.date, float], ...]]:
    """Build a :class:`RefData` rate mapping from ``(currency, valid_from, rate)`` triples."""
    collected: dict[str, dict[dt.date, float]] = {}
    for triples in tables:
        for currency, valid_from, rate in triples:
            collected.setdefault(currency, {})[valid_from] = rate
    return {c: tuple(sorted(days.items())) for c, days in collected.items()}


__all__ = [
    "RATE_SCHEMA",
    "convert",
    "convert_frame",
    "merge_rates",
    "parse_rates",
    "rate_on",
    "rate_table",
    "rates_frame",
]
