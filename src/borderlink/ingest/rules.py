"""The validation rules, as data: each is a field, a reason code, a severity and a Polars mask.

A mask is true on the rows the rule complains about. Errors reject the record; warnings keep it
and flag it. Messages name the offending value so a person can fix the source. What a valid
value is (an HS code, a country, a number, plain text) is the value types' to say
(``model.types``); required-ness, lengths and ranges are the declaration schema's; what is left
here is what needs the reference data (is the code in a loaded nomenclature) or several fields.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

import polars as pl

from borderlink.ingest.columns import COUNTRIES, FIELDS, INPUT, LOCATIONS, REQUIRED
from borderlink.model import Severity, ValueType, registry
from borderlink.model.types import DateType
from borderlink.refdata import RefData

COUNTRY = registry.country
HS_CODE = registry.hs_code
HS_EDITION = registry.hs_edition


@dataclass(frozen=True)
class Rule:
    field: str
    reason: str
    severity: Severity
    mask: pl.Expr
    message: str  # formatted with the field's raw value as {value}


def value_type(column: str, date_format: str | None = None) -> ValueType:
    """The value type of an input column (dates read in the mapping's format)."""
    kind = FIELDS[column].type
    if isinstance(kind, DateType):
        return kind.with_format(date_format)
    return kind


def max_lengths() -> dict[str, int]:
    """Text limits from the schema (which the store's column widths also come from)."""
    return {c: n for c in INPUT if (n := FIELDS[c].max_length) is not None}


def hs_digits() -> pl.Expr:
    return HS_CODE.normalise(pl.col("hs_code"))


def hs_edition(default: str) -> pl.Expr:
    return pl.coalesce(HS_EDITION.normalise(pl.col("hs_edition")), pl.lit(default))


def build_rules(
    refdata: RefData,
    date_format: str | None,
    today: dt.date,
    limits: Mapping[str, int] | None = None,
) -> list[Rule]:
    """Every rule, in the order a person would fix them.

    ``limits``: the longest text each column may hold; the schema's (which the store's widths
    are) when not handed in.
    """
    rules = [*shape_rules(max_lengths() if limits is None else limits), *type_rules(date_format)]
    rules += range_rules(date_format, today)
    rules += code_list_rules(refdata)
    rules += hs_rules(refdata)
    return rules


def _rule(field: str, reason: str, severity: Severity, mask: pl.Expr, message: str) -> Rule:
    return Rule(field, reason, severity, mask.fill_null(False), message)


def shape_rules(limits: Mapping[str, int]) -> list[Rule]:
    """Bytes that were not UTF-8, empty required fields, text longer than its column."""
    err = Severity.ERROR
    rules = [
        _rule(
            column,
            "invalid_encoding",
            err,
            _replacement_character(pl.col(column)),
            "bytes that are not UTF-8 in {value!r}",
        )
        for column in INPUT
    ]
    rules += [
        _rule(column, "missing_required", err, pl.col(column).is_null(), "required field is empty")
        for column in REQUIRED
    ]
    # Coded values (CHN → CN, 8517.13 → 851713) are judged by their type, not the stored width.
    rules += [
        _rule(
            column,
            "too_long",
            err,
            pl.col(column).str.len_chars() > limit,
            f"longer than {limit} characters: {{value!r}}",
        )
        for column, limit in limits.items()
        if not FIELDS[column].type.coded
    ]
    return rules


def _replacement_character(text: pl.Expr) -> pl.Expr:
    # U+FFFD is not ASCII: searched for only in the (few) values that are not, which pays for
    # the control-character check of the text columns.
    not_ascii = text.str.len_bytes() != text.str.len_chars()
    return pl.when(not_ascii).then(text.str.contains("\ufffd", literal=True)).otherwise(False)


# Judged below against the loaded reference data instead (lists that differ per node).
_BY_REFDATA = ("hs_edition", "quantity_unit")


def type_rules(date_format: str | None) -> list[Rule]:
    """Each column's value type: not a number, not a date, no such country, control characters."""
    rules = []
    for column in INPUT:
        kind = value_type(column, date_format)
        if column in _BY_REFDATA:
            continue
        mask = kind.invalid(pl.col(column))
        rules.append(_rule(column, kind.reason, kind.severity, mask, kind.message))
    return rules


def range_rules(date_format: str | None, today: dt.date) -> list[Rule]:
    """Ranges from the schema (not negative, 0-9); warnings about odd but possible values."""
    err, warn = Severity.ERROR, Severity.WARNING
    rules = []
    for column in INPUT:
        f = FIELDS[column]
        if f.minimum is None and f.maximum is None:
            continue
        parsed = pl.col(column).cast(pl.Float64, strict=False)
        if f.minimum == 0 and f.type.dtype == pl.Float64:
            rules.append(
                _rule(column, "negative_value", err, parsed < 0, "must not be negative: {value}")
            )
            continue
        if f.minimum is not None:
            text = f"{column} starts at {f.minimum:g}: {{value}}"
            if f.maximum is not None:
                text = f"{column} is {f.minimum:g}-{f.maximum:g}: {{value}}"
            rules.append(_rule(column, "out_of_range", err, parsed < f.minimum, text))
        if f.maximum is not None:
            text = f"{column} is {f.minimum or 0:g}-{f.maximum:g}: {{value}}"
            rules.append(_rule(column, "out_of_range", err, parsed > f.maximum, text))
    mass = pl.col("net_mass_kg").cast(pl.Float64, strict=False)
    value = pl.col("value").cast(pl.Float64, strict=False)
    declared = value_type("declared_on", date_format).typed(pl.col("declared_on"))
    rules += [
        _rule("net_mass_kg", "zero_mass", warn, mass == 0, "net mass is 0 kg"),
        _rule("value", "zero_value", warn, value == 0, "declared value is 0"),
        _rule(
            "declared_on",
            "date_in_future",
            warn,
            declared > pl.lit(today + dt.timedelta(days=1)),
            "date {value} is in the future",
        ),
    ]
    return rules


def code_list_rules(refdata: RefData) -> list[Rule]:
    """Countries not stated, currencies missing, units and places not in the loaded lists."""
    err, warn = Severity.ERROR, Severity.WARNING
    rules = [
        _rule(
            column,
            "country_not_stated",
            warn,
            COUNTRY.not_stated(pl.col(column)),
            "country given as 'not stated' ({value})",
        )
        for column in COUNTRIES
    ]
    rules.append(
        _rule(
            "currency",
            "missing_currency",
            err,
            pl.col("currency").is_null() & pl.col("value").is_not_null(),
            "a value needs a currency",
        )
    )
    unit = registry.unit.normalise(pl.col("quantity_unit"))
    rules.append(
        _rule(
            "quantity_unit",
            "unknown_unit",
            warn,
            ~unit.is_in(sorted(refdata.units)),
            "not a UN/ECE Rec. 20 unit in use here: {value!r}",
        )
    )
    if refdata.locations is not None:
        for column in LOCATIONS:
            code = registry.locode.normalise(pl.col(column))
            rules.append(
                _rule(
                    column,
                    "unknown_location",
                    warn,
                    registry.locode.accepts(code) & ~code.is_in(sorted(refdata.locations)),
                    "UN/LOCODE {value!r} is not in the loaded code list",
                )
            )
    return rules


def hs_rules(refdata: RefData) -> list[Rule]:
    digits = hs_digits()
    hs6 = digits.str.slice(0, 6)
    edition = hs_edition(refdata.current_edition)
    shaped = HS_CODE.accepts(digits)
    in_declared = pl.any_horizontal(
        [(edition == name) & hs6.is_in(sorted(codes)) for name, codes in refdata.hs.items()]
    )
    in_other = pl.any_horizontal(
        [(edition != name) & hs6.is_in(sorted(codes)) for name, codes in refdata.hs.items()]
    )
    err, warn = Severity.ERROR, Severity.WARNING
    return [
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
