"""The validation rules, as data: each is a field, a reason code, a severity and a Polars mask.

A mask is true on the rows the rule complains about. Errors reject the record; warnings keep it
and flag it. Messages name the offending value so a person can fix the source.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

import polars as pl
import pycountry

from borderlink.ingest.columns import (
    BOOLEANS,
    COUNTRIES,
    FLOATS,
    INPUT,
    LOCATIONS,
    REQUIRED,
)
from borderlink.model import Severity
from borderlink.refdata import RefData

TRUE = ("true", "1", "yes", "y", "t")
FALSE = ("false", "0", "no", "n", "f")
LOCODE_SHAPE = r"^[A-Z]{2}[A-Z2-9]{3}$"
HS_SHAPE = r"^\d{6}(\d{2}|\d{4})?$"
# ISO 3166 user-assigned codes that declarations use for "origin not stated/unknown": kept, flagged.
COUNTRY_NOT_STATED = ("ZZ", "QU", "XX")
# Codes in customs use that ISO 3166 has not (yet) assigned: Kosovo (EU, WCO practice).
COUNTRY_EXTRA = ("XK",)


@dataclass(frozen=True)
class Rule:
    field: str
    reason: str
    severity: Severity
    mask: pl.Expr
    message: str  # formatted with the field's raw value as {value}


@cache
def alpha3_to_alpha2() -> dict[str, str]:
    return {c.alpha_3: c.alpha_2 for c in pycountry.countries}


def number(column: str) -> pl.Expr:
    return pl.col(column).cast(pl.Float64, strict=False)


def boolean(column: str) -> pl.Expr:
    text = pl.col(column).str.to_lowercase()
    return pl.when(text.is_in(TRUE)).then(True).when(text.is_in(FALSE)).then(False)


def country(column: str) -> pl.Expr:
    text = pl.col(column).str.to_uppercase()
    return text.replace(alpha3_to_alpha2())


def hs_digits() -> pl.Expr:
    return pl.col("hs_code").str.replace_all(r"[.\s\-]", "")


def hs_edition(default: str) -> pl.Expr:
    text = pl.col("hs_edition").str.to_uppercase().str.replace_all(r"[\s_\-]", "")
    text = pl.when(text.str.contains(r"^\d{4}$")).then(pl.lit("HS") + text).otherwise(text)
    return pl.coalesce(text, pl.lit(default))


def declared_on(date_format: str | None) -> pl.Expr:
    text = pl.col("declared_on")
    if date_format:
        return text.str.to_date(date_format, strict=False)
    return text.str.slice(0, 10).str.to_date("%Y-%m-%d", strict=False)


def build_rules(
    refdata: RefData,
    date_format: str | None,
    today: dt.date,
    limits: Mapping[str, int] | None = None,
) -> list[Rule]:
    """Every rule, in the order a person would fix them.

    ``limits`` are the longest text each column may hold (the store's widths, handed in by the
    ingest service, so a long value is refused here and not by PostgreSQL mid-batch); without
    them no length is checked.
    """
    rules: list[Rule] = []
    err, warn = Severity.ERROR, Severity.WARNING

    def add(field: str, reason: str, severity: Severity, mask: pl.Expr, message: str) -> None:
        rules.append(Rule(field, reason, severity, mask.fill_null(False), message))

    for column in INPUT:
        add(
            column,
            "invalid_encoding",
            err,
            pl.col(column).str.contains("\ufffd", literal=True),
            "bytes that are not UTF-8 in {value!r}",
        )
    for column in REQUIRED:
        add(column, "missing_required", err, pl.col(column).is_null(), "required field is empty")
    # Codes checked against a code list are normalised first (CHN → CN, 8517.13 → 851713):
    # their own rules judge them, not the stored width.
    coded = {*COUNTRIES, "hs_code", "hs_edition", "currency"}
    for column, limit in (limits or {}).items():
        if column in coded:
            continue
        add(
            column,
            "too_long",
            err,
            pl.col(column).str.len_chars() > limit,
            f"longer than {limit} characters: {{value!r}}",
        )

    add(
        "declared_on",
        "malformed_date",
        err,
        pl.col("declared_on").is_not_null() & declared_on(date_format).is_null(),
        f"not a date ({date_format or 'YYYY-MM-DD'}): {{value!r}}",
    )
    add(
        "declared_on",
        "date_in_future",
        warn,
        declared_on(date_format) > pl.lit(today + dt.timedelta(days=1)),
        "date {value} is in the future",
    )

    for column in FLOATS:
        parsed = number(column)
        add(
            column,
            "not_a_number",
            err,
            pl.col(column).is_not_null() & (parsed.is_null() | ~parsed.is_finite()),
            "not a number: {value!r}",
        )
        add(column, "negative_value", err, parsed < 0, "must not be negative: {value}")
    add("net_mass_kg", "zero_mass", warn, number("net_mass_kg") == 0, "net mass is 0 kg")
    add("value", "zero_value", warn, number("value") == 0, "declared value is 0")
    for column in ("item_no", "severity"):
        parsed = number(column)
        add(
            column,
            "not_an_integer",
            err,
            pl.col(column).is_not_null() & (parsed.is_null() | (parsed.round(0) != parsed)),
            "not a whole number: {value!r}",
        )
    add("item_no", "out_of_range", err, number("item_no") < 1, "item numbers start at 1: {value}")
    add("severity", "out_of_range", err, number("severity") > 9, "severity is 0-9: {value}")
    for column in BOOLEANS:
        add(
            column,
            "not_a_boolean",
            err,
            pl.col(column).is_not_null() & boolean(column).is_null(),
            "not yes/no, true/false or 1/0: {value!r}",
        )

    known = sorted(refdata.countries | set(COUNTRY_EXTRA) | set(COUNTRY_NOT_STATED))
    for column in COUNTRIES:
        add(
            column,
            "unknown_country",
            err,
            ~country(column).is_in(known),
            "not an ISO 3166 country code: {value!r}",
        )
        add(
            column,
            "country_not_stated",
            warn,
            country(column).is_in(COUNTRY_NOT_STATED),
            "country given as 'not stated' ({value})",
        )
    add(
        "currency",
        "unknown_currency",
        err,
        ~pl.col("currency").str.to_uppercase().is_in(sorted(refdata.currencies)),
        "not an ISO 4217 currency code: {value!r}",
    )
    add(
        "currency",
        "missing_currency",
        err,
        pl.col("currency").is_null() & pl.col("value").is_not_null(),
        "a value needs a currency",
    )
    add(
        "quantity_unit",
        "unknown_unit",
        warn,
        ~pl.col("quantity_unit").str.to_uppercase().is_in(sorted(refdata.units)),
        "not a UN/ECE Rec. 20 unit in use here: {value!r}",
    )
    for column in LOCATIONS:
        code = pl.col(column).str.to_uppercase().str.replace_all(" ", "")
        add(
            column,
            "malformed_location",
            warn,
            ~code.str.contains(LOCODE_SHAPE),
            "not a UN/LOCODE: {value!r}",
        )
        if refdata.locations is not None:
            add(
                column,
                "unknown_location",
                warn,
                code.str.contains(LOCODE_SHAPE) & ~code.is_in(sorted(refdata.locations)),
                "UN/LOCODE {value!r} is not in the loaded code list",
            )
    rules.extend(hs_rules(refdata))
    return rules


def hs_rules(refdata: RefData) -> list[Rule]:
    digits = hs_digits()
    hs6 = digits.str.slice(0, 6)
    edition = hs_edition(refdata.current_edition)
    shaped = digits.str.contains(HS_SHAPE)
    in_declared = pl.any_horizontal(
        [(edition == name) & hs6.is_in(sorted(codes)) for name, codes in refdata.hs.items()]
    )
    in_other = pl.any_horizontal(
        [(edition != name) & hs6.is_in(sorted(codes)) for name, codes in refdata.hs.items()]
    )
    err, warn = Severity.ERROR, Severity.WARNING
    return [
        Rule(
            "hs_code",
            "malformed_hs_code",
            err,
            (pl.col("hs_code").is_not_null() & ~shaped).fill_null(False),
            "an HS code has 6, 8 or 10 digits: {value!r}",
        ),
        Rule(
            "hs_edition",
            "unknown_hs_edition",
            err,
            ~edition.is_in(sorted(refdata.hs)),
            f"unknown HS edition {{value!r}}; loaded: {', '.join(sorted(refdata.hs))}",
        ),
        Rule(
            "hs_code",
            "unknown_hs_code",
            err,
            (shaped & edition.is_in(sorted(refdata.hs)) & ~in_declared & ~in_other).fill_null(
                False
            ),
            "HS code {value!r} is in no loaded edition of the nomenclature",
        ),
        Rule(
            "hs_code",
            "hs_older_edition",
            warn,
            (shaped & ~in_declared & in_other).fill_null(False),
            "HS code {value!r} exists only in another edition than the declared one",
        ),
    ]


def current_hs_code(refdata: RefData) -> pl.Expr:
    """The 6-digit code in the node's current edition: the code itself, or its correlation."""
    digits = hs_digits()
    hs6 = digits.str.slice(0, 6)
    current = refdata.hs.get(refdata.current_edition, frozenset())
    mapped = [
        hs6.replace_strict(dict(mapping), default=None, return_dtype=pl.String)
        for (source, target), mapping in refdata.correlations.items()
        if target == refdata.current_edition and mapping
    ]
    edition = hs_edition(refdata.current_edition)
    same_edition = (edition == refdata.current_edition) & hs6.is_in(sorted(current))
    # A correlation wins for a code from another edition; a code left unchanged between editions
    # (present in the current one) stands for itself when no correlation says otherwise.
    return (
        pl.when(same_edition)
        .then(hs6)
        .otherwise(pl.coalesce(*mapped, pl.when(hs6.is_in(sorted(current))).then(hs6)))
    )
