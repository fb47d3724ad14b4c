"""HS correlation tables between two editions, e.g. HS 2022 ↔ HS 2017.

Two layouts are read: the UN Statistics Division table ``hs2022,hs2017,relationship`` (1:1, n:1,
1:n, n:n) and the conversion file ``hs2022,hs2017`` (no relationship: it stays null, so loading
it after the UN table keeps the table's labels). Which column holds which edition comes from the
caller or from the header names.

A correlation frame (:data:`CORRELATION_SCHEMA`) holds one row per (from code, to code) pair;
``relationship`` reads from → to (``n:1``: several from-codes share one to-code).
:func:`correlation_maps` turns it into the unambiguous look-ups :class:`RefData` carries, in both
directions.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType

import polars as pl

from borderlink.errors import InvalidInput
from borderlink.refdata._csv import LINE, Check, first_failure, read_text_csv, require_rows
from borderlink.refdata.hs import edition_from_name, normalise_edition

CORRELATION_SCHEMA: Mapping[str, pl.DataType] = MappingProxyType(
    {
        "from_edition": pl.String(),
        "from_code": pl.String(),
        "to_edition": pl.String(),
        "to_code": pl.String(),
        "relationship": pl.String(),
    }
)
RELATIONSHIPS = ("1:1", "n:1", "1:n", "n:n")
_FLIPPED = MappingProxyType({"1:1": "1:1", "n:1": "1:n", "1:n": "n:1", "n:n": "n:n"})
_CODE = r"^\d{2}(?:\d{2}){0,4}$"


def _columns(
    code_columns: list[str], from_edition: str | None, to_edition: str | None, label: str
) -> tuple[str, str, str, str]:
    """→ (from column, from edition, to column, to edition).

    Header names that carry an edition (``hs2022``) pick the columns for the named editions;
    without them the first column is the from edition, the second the to edition."""
    first, second = code_columns
    in_header = {
        edition: column
        for column in code_columns
        if (edition := edition_from_name(column)) is not None
    }
    wanted_from = normalise_edition(from_edition) if from_edition else None
    wanted_to = normalise_edition(to_edition) if to_edition else None
    if len(in_header) == 2:
        if wanted_from is None and wanted_to is None:
            wanted_from, wanted_to = edition_from_name(first), edition_from_name(second)
        elif wanted_from is None:
            wanted_from = next((e for e in in_header if e != wanted_to), None)
        elif wanted_to is None:
            wanted_to = next((e for e in in_header if e != wanted_from), None)
        if (
            wanted_from is not None
            and wanted_to is not None
            and wanted_from in in_header
            and wanted_to in in_header
            and wanted_from != wanted_to
        ):
            return in_header[wanted_from], wanted_from, in_header[wanted_to], wanted_to
    if wanted_from and wanted_to:
        if wanted_from == wanted_to:
            raise InvalidInput(
                f"{label}: the from and to editions are both {wanted_from}", field="to_edition"
            )
        return first, wanted_from, second, wanted_to
    raise InvalidInput(
        f"{label}, line 1: cannot tell which edition the columns {first!r} and {second!r} hold; "
        "name both (from edition = first column, to edition = second)",
        field="from_edition",
    )


def parse_correlation(
    source: Path | str | bytes,
    *,
    from_edition: str | None = None,
    to_edition: str | None = None,
    name: str | None = None,
) -> pl.DataFrame:
    """Parse a correlation file into a frame of :data:`CORRELATION_SCHEMA`, one row per pair.

    Pairs with a "not specified" filler (``999999``) are dropped, repeated pairs kept once.
    Raises :class:`InvalidInput` naming the first bad line and field.
    """
    label = name or (str(source) if not isinstance(source, bytes) else "<data>")
    raw = read_text_csv(source, required=(), name=label)
    code_columns = [c for c in raw.columns if c not in (LINE, "relationship")]
    if len(code_columns) != 2:
        raise InvalidInput(
            f"{label}, line 1: expected two code columns (and optionally 'relationship'), "
            f"found {', '.join(code_columns) or 'none'}",
        )
    from_col, from_ed, to_col, to_ed = _columns(code_columns, from_edition, to_edition, label)
    has_relationship = "relationship" in raw.columns
    relationship = pl.col("relationship").str.to_lowercase() if has_relationship else pl.lit(None)
    if has_relationship and from_col != code_columns[0]:
        relationship = relationship.replace(_FLIPPED)
    frame = raw.select(
        LINE,
        from_code=_even_zfill(from_col),
        to_code=_even_zfill(to_col),
        relationship=relationship.cast(pl.String),
    )
    fillers = ["99", "9999", "999999"]
    frame = frame.filter(
        ~pl.col("from_code").is_in(fillers).fill_null(False)
        & ~pl.col("to_code").is_in(fillers).fill_null(False)
    )
    checks = []
    for column, header in (("from_code", from_col), ("to_code", to_col)):
        checks += [
            Check(column, pl.col(column).is_null(), f"missing {header} code"),
            Check(column, ~pl.col(column).str.contains(_CODE), "{value!r} is not an HS code"),
        ]
    if has_relationship:
        checks.append(
            Check(
                "relationship",
                ~pl.col("relationship").is_in(RELATIONSHIPS) & pl.col("relationship").is_not_null(),
                "{value!r} is not one of 1:1, n:1, 1:n, n:n",
            )
        )
    first_failure(frame, checks, name=label)
    require_rows(frame, name=label, what="code pairs")
    frame = frame.unique(["from_code", "to_code"], keep="first", maintain_order=True)
    return frame.select(
        from_edition=pl.lit(from_ed, pl.String),
        from_code="from_code",
        to_edition=pl.lit(to_ed, pl.String),
        to_code="to_code",
        relationship="relationship",
    )


def _even_zfill(column: str) -> pl.Expr:
    col = pl.col(column)
    odd = (col.str.len_chars() % 2) == 1
    return pl.when(col.str.contains(r"^\d+$") & odd).then("0" + col).otherwise(col)


def correlation_maps(pairs: pl.DataFrame) -> dict[tuple[str, str], dict[str, str]]:
    """``{(from_edition, to_edition): {from_code: to_code}}`` in both directions of every loaded
    pair of editions (both keys present, even when empty), keeping only the from-codes that map
    to exactly one to-code."""
    if pairs.is_empty():
        return {}
    forward = pairs.select("from_edition", "from_code", "to_edition", "to_code")
    backward = pairs.select(
        from_edition="to_edition",
        from_code="to_code",
        to_edition="from_edition",
        to_code="from_code",
    )
    single = (
        pl.concat([forward, backward])
        .unique()
        .group_by("from_edition", "to_edition", "from_code")
        .agg(pl.col("to_code").first(), count=pl.len())
        .filter(pl.col("count") == 1)
    )
    maps: dict[tuple[str, str], dict[str, str]] = {}
    for from_edition, to_edition in forward.select("from_edition", "to_edition").unique().rows():
        maps[(from_edition, to_edition)] = {}
        maps[(to_edition, from_edition)] = {}
    for part in single.partition_by("from_edition", "to_edition"):
        key = (str(part["from_edition"][0]), str(part["to_edition"][0]))
        maps[key] = dict(zip(part["from_code"].to_list(), part["to_code"].to_list(), strict=True))
    return maps
