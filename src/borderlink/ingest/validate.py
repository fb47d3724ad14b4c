"""Validation and harmonisation of one chunk: text columns in, typed accepted rows and rejects out.

Vectorised: every rule is a Polars mask evaluated once per chunk; Python touches only the rows
that fail, to write their messages.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from borderlink.ingest.columns import (
    BOOLEANS,
    COUNTRIES,
    DATES,
    FLOATS,
    INPUT,
    INTEGERS,
    LOCATIONS,
)
from borderlink.ingest.rules import (
    Rule,
    boolean,
    build_rules,
    country,
    current_hs_code,
    declared_on,
    hs_digits,
    hs_edition,
    number,
)
from borderlink.model import FieldIssue, Severity
from borderlink.refdata import RefData, convert_frame

KEY = ("declaration_id", "item_no")


@dataclass
class Checked:
    """One validated chunk."""

    accepted: pl.DataFrame  # typed canonical columns + derived ones + _record_no
    rejected: list[tuple[int, list[FieldIssue]]]  # (position in the chunk, issues)
    warnings: Counter[str] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)


def typed(frame: pl.DataFrame, refdata: RefData, date_format: str | None) -> pl.DataFrame:
    """Text columns → their types, codes normalised (upper case, alpha-2, HS digits)."""
    conversions: list[pl.Expr] = [number(c).alias(c) for c in FLOATS]
    conversions += [number(c).cast(pl.Int64).alias(c) for c in INTEGERS]
    conversions += [boolean(c).alias(c) for c in BOOLEANS]
    conversions += [declared_on(date_format).alias(c) for c in DATES]
    conversions += [country(c).alias(c) for c in COUNTRIES]
    conversions += [
        pl.col(c).str.to_uppercase().str.replace_all(" ", "").alias(c) for c in LOCATIONS
    ]
    conversions += [
        pl.col("currency").str.to_uppercase(),
        pl.col("quantity_unit").str.to_uppercase(),
        hs_digits().alias("hs_code"),
        hs_edition(refdata.current_edition).alias("hs_edition"),
        current_hs_code(refdata).alias("hs_code_current"),
        pl.col("declaration_type").str.to_uppercase().fill_null("IM"),
    ]
    return frame.with_columns(conversions)


def row_hashes(frame: pl.DataFrame) -> pl.Series:
    """A content hash per row, stable across runs and library versions (blake2b of the values)."""
    joined = frame.select(
        pl.concat_str(
            [pl.col(c).cast(pl.String).fill_null("\x00") for c in INPUT], separator="\x1f"
        )
    ).to_series()
    return pl.Series(
        "row_hash",
        [hashlib.blake2b(text.encode(), digest_size=16).hexdigest() for text in joined],
        dtype=pl.String,
    )


def validate(
    frame: pl.DataFrame,
    refdata: RefData,
    *,
    date_format: str | None = None,
    today: dt.date | None = None,
    limits: Mapping[str, int] | None = None,
) -> Checked:
    """Check a chunk of canonical text columns (plus ``_record_no`` and maybe ``_error``);
    ``limits`` as :func:`~borderlink.ingest.rules.build_rules` takes them."""
    rules = build_rules(refdata, date_format, today or dt.datetime.now(dt.UTC).date(), limits)
    masks = frame.select(
        [rule.mask.alias(f"m{i}") for i, rule in enumerate(rules)]
        + [
            (pl.col("_error").is_not_null() if "_error" in frame.columns else pl.lit(False)).alias(
                "malformed"
            )
        ]
    )
    error_ids = [i for i, rule in enumerate(rules) if rule.severity is Severity.ERROR]
    warning_ids = [i for i, rule in enumerate(rules) if rule.severity is Severity.WARNING]
    bad = masks.select(
        pl.any_horizontal([pl.col(f"m{i}") for i in error_ids] + [pl.col("malformed")])
    ).to_series()

    rejected = _describe(
        bad.arg_true().to_list(), frame.filter(bad), masks.filter(bad), rules, error_ids
    )
    errors: Counter[str] = Counter()
    for _, issues in rejected:
        errors.update({issue.reason for issue in issues})
    good = frame.filter(~bad)
    good_masks = masks.filter(~bad)
    flags = good_masks.select(
        pl.concat_str(
            [pl.when(pl.col(f"m{i}")).then(pl.lit(rules[i].reason)) for i in warning_ids],
            separator=",",
            ignore_nulls=True,
        ).alias("flags")
    ).to_series()
    warnings: Counter[str] = Counter()
    for i in warning_ids:
        count = int(good_masks[f"m{i}"].sum())
        if count:
            warnings[rules[i].reason] += count

    accepted = typed(good, refdata, date_format).with_columns(
        pl.when(flags == "").then(None).otherwise(flags).alias("flags")
    )
    unmapped = accepted["hs_code_current"].is_null()
    if unmapped.any():
        warnings["hs_no_correlation"] += int(unmapped.sum())
        accepted = accepted.with_columns(
            pl.when(pl.col("hs_code_current").is_null())
            .then(
                pl.concat_str(
                    [pl.col("flags"), pl.lit("hs_no_correlation")], separator=",", ignore_nulls=True
                )
            )
            .otherwise(pl.col("flags"))
            .alias("flags")
        )
    accepted = convert_frame(accepted, refdata)
    no_rate = accepted["value"].is_not_null() & accepted["value_reporting"].is_null()
    if no_rate.any():
        warnings["no_exchange_rate"] += int(no_rate.sum())
    accepted = accepted.with_columns(row_hashes(accepted))
    return Checked(accepted=accepted, rejected=rejected, warnings=warnings, errors=errors)


def _describe(
    positions: list[int],
    frame: pl.DataFrame,
    masks: pl.DataFrame,
    rules: list[Rule],
    error_ids: list[int],
) -> list[tuple[int, list[FieldIssue]]]:
    """Messages for the rejected rows only (few, normally): (row position in chunk, issues)."""
    out: list[tuple[int, list[FieldIssue]]] = []
    records = frame.to_dicts()
    for position, record, flags in zip(positions, records, masks.iter_rows(), strict=True):
        issues: list[FieldIssue] = []
        if flags[-1]:
            issues.append(
                FieldIssue(
                    field="_record", reason="malformed_record", message=str(record["_error"])
                )
            )
        for i in error_ids:
            if flags[i]:
                rule = rules[i]
                issues.append(
                    FieldIssue(
                        field=rule.field,
                        reason=rule.reason,
                        message=rule.message.format(value=record.get(rule.field)),
                    )
                )
        out.append((position, issues))
    return out


def raw_records(raw: pl.DataFrame) -> list[dict[str, Any]]:
    """Source records as read (for the rejects table), without bookkeeping columns."""
    return raw.drop([c for c in raw.columns if c.startswith("_") and c != "_raw"]).to_dicts()
