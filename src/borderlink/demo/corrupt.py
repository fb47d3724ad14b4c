"""A deliberately broken declarations file, with its answer key, for tests and demos.

Each breakage sits in its own single-item declaration, so one bad field explains one rejected
record; the exact duplicates are copies of clean rows appended at the end.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType

import polars as pl

from borderlink.demo.sampler import OUTCOME_COLUMNS, generate
from borderlink.demo.writers import FILE_COLUMNS
from borderlink.services.refdata import builtin

# kind → (column, broken text). The kinds are the ingest reason codes they should cause.
BREAKAGES: Mapping[str, tuple[str, str]] = MappingProxyType(
    {
        "unknown_hs_code": ("hs_code", "123456"),  # well-formed, but no such HS 2022 subheading
        "unknown_country": ("origin_country", "UK"),  # a common slip: GB is the ISO code
        "not_a_number": ("value", "12O5.50"),  # a letter O where a zero belongs
        "negative_value": ("net_mass_kg", "-250.5"),
        "missing_required": ("declaration_id", ""),
        "malformed_date": ("declared_on", "2025-02-30"),
        "invalid_encoding": ("importer_name", "Société Générale Import"),  # written as Latin-1
    }
)
DUPLICATES = 2
_ENCODED = "Société Générale Import"


def corrupt(path: str | Path, n_items: int = 60, seed: int = 0) -> dict[str, list[int]]:
    """Write a CSV of about ``n_items`` goods items where some rows are broken on purpose.

    Returns the answer key: breakage kind → 1-based record numbers (data rows). The kinds are
    those of :data:`BREAKAGES` and ``"duplicate"`` (exact copies of earlier rows).
    """
    if "123456" in builtin().hs["HS2022"]:  # pragma: no cover - guards the fixture itself
        raise AssertionError("the 'unknown' HS code exists")
    frame = generate(max(n_items, 40), seed).select(FILE_COLUMNS)
    frame = frame.with_columns(pl.all().cast(pl.String))
    # not inspected (an empty outcome): its rows are about ingest, not about what was found
    frame = frame.with_columns(pl.lit(None, pl.String).alias(c) for c in OUTCOME_COLUMNS)
    sizes = frame.group_by("declaration_id").len()
    single = frame.join(sizes.filter(pl.col("len") == 1), on="declaration_id", how="semi")
    rows = frame.with_row_index("_i")
    targets = rows.join(single.select("declaration_id"), on="declaration_id", how="semi")
    picks = targets["_i"].to_list()
    kinds = list(BREAKAGES)
    if len(picks) < len(kinds) + DUPLICATES:
        raise ValueError("too few single-item declarations: ask for more items")
    step = max(len(picks) // (len(kinds) + DUPLICATES), 1)
    chosen = picks[::step][: len(kinds) + DUPLICATES]
    key: dict[str, list[int]] = {}
    broken = frame
    for kind, index in zip(kinds, chosen, strict=False):
        column, text = BREAKAGES[kind]
        broken = broken.with_columns(
            pl.when(pl.int_range(pl.len()) == index)
            .then(pl.lit(text))
            .otherwise(pl.col(column))
            .alias(column)
        )
        key[kind] = [index + 1]
    copies = chosen[len(kinds) :]
    broken = pl.concat([broken, frame[copies]])
    key["duplicate"] = [frame.height + i + 1 for i in range(len(copies))]
    text = broken.write_csv()
    data = text.encode("utf-8").replace(_ENCODED.encode("utf-8"), _ENCODED.encode("latin-1"))
    Path(path).write_bytes(data)
    return key
