"""The ingest path for one file, without storage: read → map → validate → de-duplicate, by chunk.

``services.ingest`` adds the database; ``read_accepted`` gives analytics the clean frame directly.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from borderlink.ingest.columns import DERIVED
from borderlink.ingest.mapping import ColumnMapping, load_mapping
from borderlink.ingest.readers import reader
from borderlink.ingest.validate import KEY, raw_records, validate
from borderlink.model import FieldIssue
from borderlink.refdata import RefData, builtin


@dataclass
class Reject:
    record_no: int
    declaration_id: str | None
    item_no: int | None
    issues: list[FieldIssue]
    raw: dict[str, Any]


@dataclass
class AmendmentRows:
    """The rows of one message that amends (``COR``) or cancels (``INV``) a stored declaration:
    what it sends, as text, for the amendment use case to apply (or reject) against the store."""

    record_no: int
    declaration_id: str
    kind: str
    rows: list[dict[str, Any]]  # canonical text columns the message gives (non-empty only)
    raw: list[dict[str, Any]]  # the rows as read, for a reject


@dataclass
class Prepared:
    """One chunk, ready to store: accepted rows (unique keys), rejects, and the tallies."""

    rows: int
    accepted: pl.DataFrame
    rejects: list[Reject]
    duplicates: int = 0  # exact repeats of a row earlier in this chunk
    warnings: Counter[str] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    amendments: list[AmendmentRows] = field(default_factory=list)
    # What the source said beyond the flat layout, per accepted declaration: declaration_id,
    # details (JSON text); None when the reader gives none.
    details: pl.DataFrame | None = None


def _details(raw: pl.DataFrame, accepted: pl.DataFrame) -> pl.DataFrame | None:
    """The reader's ``_wco`` text of each accepted declaration (its first row's)."""
    if "_wco" not in raw.columns or accepted.is_empty():
        return None
    given = raw.select("_record_no", pl.col("_wco").alias("details")).drop_nulls("details")
    return (
        accepted.select("declaration_id", "_record_no")
        .unique(subset=["declaration_id"], keep="first", maintain_order=True)
        .join(given.unique(subset=["_record_no"], keep="first"), on="_record_no", how="inner")
        .select("declaration_id", "details")
    )


def _lodged_today(raw: pl.DataFrame, today: dt.date | None) -> tuple[pl.DataFrame, int]:
    """A message the reader marks ``_undated`` (a pre-lodged declaration) is lodged today."""
    if "_undated" not in raw.columns:
        return raw, 0
    undated = pl.col("_undated").is_not_null() & pl.col("declared_on").is_null()
    count = int(raw.select(undated.sum()).item())
    if not count:
        return raw, 0
    day = (today or dt.datetime.now(dt.UTC).date()).isoformat()
    filled = pl.when(undated).then(pl.lit(day)).otherwise(pl.col("declared_on"))
    return raw.with_columns(filled.alias("declared_on")), count


def _split_amendments(
    raw: pl.DataFrame, mapping: ColumnMapping
) -> tuple[pl.DataFrame, list[AmendmentRows]]:
    """The rows of amending messages (``_amends``), grouped by message, apart from the rest."""
    if "_amends" not in raw.columns:
        return raw, []
    marked = pl.col("_amends").is_not_null()
    if "_error" in raw.columns:
        marked = marked & pl.col("_error").is_null()
    amending = raw.filter(marked)
    if amending.is_empty():
        return raw, []
    # A mapping's constants fill what a source leaves empty: in an amendment, empty is unchanged.
    canonical = mapping.apply(amending).drop(list(mapping.constants))
    found: dict[int, AmendmentRows] = {}
    for record, row, as_read in zip(
        amending.to_dicts(), canonical.to_dicts(), raw_records(amending), strict=True
    ):
        number = int(record["_record_no"])
        entry = found.setdefault(
            number,
            AmendmentRows(number, str(record["_amends"]), str(record["_amendment"]), [], []),
        )
        entry.rows.append({k: v for k, v in row.items() if v is not None and k != "_record_no"})
        entry.raw.append(as_read)
    return raw.filter(~marked), list(found.values())


def _item_no(value: Any) -> int | None:
    try:
        return int(float(value))
    except (TypeError, ValueError):
        return None


def prepare(
    raw: pl.DataFrame,
    mapping: ColumnMapping,
    refdata: RefData,
    *,
    today: dt.date | None = None,
    limits: Mapping[str, int] | None = None,
) -> Prepared:
    """Map and validate one chunk of raw text columns (with ``_record_no``)."""
    rows = raw.height
    raw, amendments = _split_amendments(raw, mapping)
    raw, undated = _lodged_today(raw, today)
    canonical = mapping.apply(raw)
    if "_error" in raw.columns:
        canonical = canonical.with_columns(raw["_error"])
    checked = validate(
        canonical, refdata, date_format=mapping.date_format, today=today, limits=limits
    )

    rejected_positions = [position for position, _ in checked.rejected]
    bad_raw = raw_records(raw[rejected_positions]) if rejected_positions else []
    bad_canonical = canonical[rejected_positions].to_dicts() if rejected_positions else []
    rejects = [
        Reject(
            record_no=int(canon["_record_no"]),
            declaration_id=canon.get("declaration_id"),
            item_no=_item_no(canon.get("item_no")),
            issues=issues,
            raw=record,
        )
        for (_, issues), record, canon in zip(checked.rejected, bad_raw, bad_canonical, strict=True)
    ]

    # Repeats of a key inside the chunk: the same content is a duplicate, other content a conflict.
    accepted = checked.accepted
    first = accepted.select(pl.struct(KEY).is_first_distinct()).to_series()
    repeats = accepted.filter(~first)
    accepted = accepted.filter(first)
    duplicates = 0
    if repeats.height:
        original = accepted.select([*KEY, pl.col("row_hash").alias("first_hash")])
        joined = repeats.join(original, on=list(KEY), how="left")
        same = joined["row_hash"] == joined["first_hash"]
        duplicates = int(same.sum())
        conflicts = joined.filter(~same)
        if conflicts.height:
            rejects.extend(conflict_rejects(conflicts, raw))
            checked.errors["conflicting_duplicate"] += conflicts.height
    if undated:
        checked.warnings["declared_on_received"] += undated
    return Prepared(
        rows=rows,
        accepted=accepted,
        rejects=rejects,
        duplicates=duplicates,
        warnings=checked.warnings,
        errors=checked.errors,
        amendments=amendments,
        details=_details(raw, accepted),
    )


def conflict_rejects(
    conflicts: pl.DataFrame, raw: pl.DataFrame, where: str = "this file"
) -> list[Reject]:
    """Rejects for rows whose key is already taken by a row with different content."""
    by_record = {
        int(row["_record_no"]): row
        for row in raw.filter(pl.col("_record_no").is_in(conflicts["_record_no"])).to_dicts()
    }
    return [
        Reject(
            record_no=int(row["_record_no"]),
            declaration_id=row["declaration_id"],
            item_no=row["item_no"],
            issues=[
                FieldIssue(
                    field="declaration_id",
                    reason="conflicting_duplicate",
                    message=(
                        f"declaration {row['declaration_id']} item {row['item_no']} already exists "
                        f"in {where} with different content; to change it send an amendment "
                        f"(POST /api/v1/declarations/{row['declaration_id']}/amendments, "
                        "`borderlink amend`, or a WCO DM message with FunctionCode 13 and "
                        "TypeCode COR)"
                    ),
                )
            ],
            raw={
                k: None if v is None else str(v)
                for k, v in by_record[int(row["_record_no"])].items()
                if not k.startswith("_") and k not in DERIVED
            },
        )
        for row in conflicts.select("_record_no", *KEY).to_dicts()
    ]


def prepare_file(
    path: Path,
    *,
    fmt: str = "csv",
    mapping: str | Path | ColumnMapping | None = None,
    refdata: RefData | None = None,
    chunk_rows: int = 50_000,
    today: dt.date | None = None,
    limits: Mapping[str, int] | None = None,
    skip_rows: int = 0,
) -> Iterator[Prepared]:
    """Stream a file through map + validate, one :class:`Prepared` chunk at a time.

    ``skip_rows``: leave out the first rows the reader gives (those an interrupted run already
    stored): the rest is the same whatever the chunk size, so a resumed run adds up exactly.
    """
    source = reader(fmt)  # an unknown format fails before the mapping is looked up
    column_mapping = mapping if isinstance(mapping, ColumnMapping) else load_mapping(mapping)
    refdata = refdata or builtin()
    seen = 0
    for raw in source.read(Path(path), chunk_rows):
        seen += raw.height
        if seen <= skip_rows:
            continue
        if seen - raw.height < skip_rows:
            raw = raw.slice(raw.height - (seen - skip_rows))
        yield prepare(raw, column_mapping, refdata, today=today, limits=limits)


def read_accepted(
    path: str | Path,
    *,
    format: str = "csv",
    mapping: str | Path | ColumnMapping | None = "kcs",
    refdata: RefData | None = None,
    chunk_rows: int = 100_000,
) -> pl.DataFrame:
    """The validated, de-duplicated accepted rows of a file as one frame (for analytics)."""
    chunks = [
        prepared.accepted
        for prepared in prepare_file(
            Path(path), fmt=format, mapping=mapping, refdata=refdata, chunk_rows=chunk_rows
        )
    ]
    if not chunks:
        return pl.DataFrame()
    frame = pl.concat(chunks, how="vertical_relaxed")
    return frame.unique(subset=list(KEY), keep="first", maintain_order=True)
