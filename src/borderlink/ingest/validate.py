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

from borderlink.ingest.columns import FIELDS, INPUT
from borderlink.ingest.rules import Rule, build_rules, current_hs_code, hs_edition, value_type
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
    """Text columns → their value types' typed, normalised form (alpha-2, HS digits, NFC text)."""
    conversions: list[pl.Expr] = []
    for column in INPUT:
        if column == "hs_edition":  # its default is the node's current edition
            continue
        value = value_type(column, date_format).typed(pl.col(column))
        if FIELDS[column].default is not None:
            value = value.fill_null(pl.lit(FIELDS[column].default))
        conversions.append(value.alias(column))
    conversions += [
        hs_edition(refdata.current_edition).alias("hs_edition"),
        current_hs_code(refdata).alias("hs_code_current"),
    ]
    return frame.with_columns(conversions)


def row_hashes(frame: pl.DataFrame) -> pl.Series:
    """A content hash per row, stable across runs and library versions (blake2b of the values)."""
    joined = frame.select(
        pl.concat_str(
            [pl.col(c).cast(pl.String).fill_null("\x00") for c in INPUT], separator="\x1f"
        ).cast(pl.Binary)  # UTF-8 bytes, encoded by Polars rather than row by row in Python
    ).to_series()
    blake2b = hashlib.blake2b
    return pl.Series(
        "row_hash",
        [blake2b(data, digest_size=16).hexdigest() for data in joined.to_list()],
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
    malformed = pl.col("_error").is_not_null() if "_error" in frame.columns else pl.lit(False)
    error_ids = [i for i, rule in enumerate(rules) if rule.severity is Severity.ERROR]
    warning_ids = [i for i, rule in enumerate(rules) if rule.severity is Severity.WARNING]
    # The error rules run once over the chunk, fused into one mask; each rule's own mask is
    # worked out again only for the (few) rejected rows, and the warnings' for the others.
    bad = frame.select(
        pl.any_horizontal([rules[i].mask for i in error_ids] + [malformed]).alias("bad")
    ).to_series()
    rejected: list[tuple[int, list[FieldIssue]]] = []
    good = frame
    if bad.any():
        bad_rows = frame.filter(bad)
        masks = bad_rows.select(
            [rule.mask.alias(f"m{i}") for i, rule in enumerate(rules)]
            + [malformed.alias("malformed")]
        )
        rejected = _describe(bad.arg_true().to_list(), bad_rows, masks, rules, error_ids)
        good = frame.filter(~bad)
    errors: Counter[str] = Counter()
    for _, issues in rejected:
        errors.update({issue.reason for issue in issues})
    flags, warnings = _warnings(good, rules, warning_ids)

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


def _warnings(
    good: pl.DataFrame, rules: list[Rule], warning_ids: list[int]
) -> tuple[pl.Series, Counter[str]]:
    """The kept rows' flags (reasons joined by commas, "" for none) and the count per reason."""
    good_masks = good.select([rules[i].mask.alias(f"m{i}") for i in warning_ids])
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
    return flags, warnings


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
                    field="_record",
                    reason="malformed_record",
                    message=_shortened(str(record["_error"])),
                )
            )
        for i in error_ids:
            if flags[i]:
                rule = rules[i]
                issues.append(
                    FieldIssue(
                        field=rule.field,
                        reason=rule.reason,
                        message=rule.message.format(value=_shortened(record.get(rule.field))),
                    )
                )
        out.append((position, issues))
    return out


# A message quotes at most this much of a value: the record itself keeps all of it.
QUOTED = 200


def _shortened(value: Any) -> Any:
    if isinstance(value, str) and len(value) > QUOTED:
        return f"{value[:QUOTED]}… ({len(value) - QUOTED:,} more characters)"
    return value


# Bookkeeping a reject keeps: the text of a malformed record, where it came from, and which
# declaration an amending message names (so a retry applies it as the amendment it is).
KEPT = frozenset({"_raw", "_amends", "_amendment"})


def raw_records(raw: pl.DataFrame) -> list[dict[str, Any]]:
    """Source records as read (for the rejects table), without bookkeeping columns."""
    return raw.drop([c for c in raw.columns if c.startswith("_") and c not in KEPT]).to_dicts()
