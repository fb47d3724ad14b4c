"""UN/LOCODE code lists (UNECE layout ``Change, Country, Location, Name, NameWoDiacritics,
Subdivision, Status, Function, Date, IATA, Coordinates, Remarks``) → location frames.

The list has over 100,000 rows, so :func:`read_locations` streams it in batches. A location's
code is its country and location parts together (``NL`` + ``RTM`` → ``NLRTM``). Rows without a
location part (the country headings of the published list) are skipped; when a code is listed
more than once (the same place under another language's name) its first row is kept.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from types import MappingProxyType

import polars as pl

from borderlink.errors import InvalidInput
from borderlink.refdata._csv import LINE, Check, first_failure

REQUIRED_COLUMNS = ("country", "location", "name")
OPTIONAL_COLUMNS = ("subdivision", "status", "function", "coordinates")

LOCATION_SCHEMA: Mapping[str, pl.DataType] = MappingProxyType(
    {
        "code": pl.String(),
        "country": pl.String(),
        "name": pl.String(),
        "subdivision": pl.String(),
        "functions": pl.String(),
        "status": pl.String(),
        "coordinates": pl.String(),
    }
)

_CHECKS = (
    Check("country", ~pl.col("country").str.contains(r"^[A-Z]{2}$"), "{value!r} is not a country"),
    Check(
        "location",
        ~pl.col("location").str.contains(r"^[A-Z0-9]{3}$"),
        "{value!r} is not a location code (3 letters or digits)",
    ),
    Check("name", pl.col("name").is_null(), "missing name"),
    Check("subdivision", pl.col("subdivision").str.len_chars() > 3, "{value!r} is too long"),
    Check("status", pl.col("status").str.len_chars() > 2, "{value!r} is too long"),
    Check("function", pl.col("function").str.len_chars() > 8, "{value!r} is too long"),
    Check("coordinates", pl.col("coordinates").str.len_chars() > 16, "{value!r} is too long"),
)


def read_locations(path: Path | str, *, batch_rows: int = 20_000) -> Iterator[pl.DataFrame]:
    """Yield frames of :data:`LOCATION_SCHEMA`, at most ``batch_rows`` rows each, in file order.

    Raises :class:`InvalidInput` naming the first bad line and field of a batch, or when the file
    is missing, not UTF-8 or lacks a required column.
    """
    label = str(path)
    if not Path(path).is_file():
        raise InvalidInput(f"{label}: no such file")
    scan = pl.scan_csv(
        path,
        infer_schema=False,
        row_index_name=LINE,
        row_index_offset=2,
        with_column_names=lambda names: [n.strip().lower() for n in names],
    )
    try:
        names = scan.collect_schema().names()
    except pl.exceptions.PolarsError as error:
        raise InvalidInput(f"{label}: not a readable CSV file: {error}") from None
    missing = [c for c in REQUIRED_COLUMNS if c not in names]
    if missing:
        raise InvalidInput(f"{label}, line 1: missing column {missing[0]!r}", field=missing[0])
    absent = [pl.lit(None, pl.String).alias(c) for c in OPTIONAL_COLUMNS if c not in names]
    text = [*REQUIRED_COLUMNS, *(c for c in OPTIONAL_COLUMNS if c in names)]
    lazy = (
        scan.with_columns(*absent)
        .with_columns(pl.col(text).str.strip_chars().replace("", None))
        .with_columns(pl.col("country").str.to_uppercase(), pl.col("location").str.to_uppercase())
        .filter(pl.col("location").is_not_null())
        .select(LINE, *REQUIRED_COLUMNS, *OPTIONAL_COLUMNS)
    )
    seen: set[str] = set()
    try:
        for batch in lazy.collect_batches(chunk_size=batch_rows):
            first_failure(batch, _CHECKS, name=label)
            frame = batch.select(
                code=pl.col("country") + pl.col("location"),
                country="country",
                name="name",
                subdivision="subdivision",
                functions="function",
                status="status",
                coordinates="coordinates",
            ).unique("code", keep="first", maintain_order=True)
            if seen:
                frame = frame.filter(~pl.col("code").is_in(list(seen)))
            seen.update(frame["code"].to_list())
            if frame.height:
                yield frame
    except pl.exceptions.PolarsError as error:
        raise InvalidInput(f"{label}: not a readable UTF-8 CSV file: {error}") from None
    if not seen:
        raise InvalidInput(f"{label}: no locations in the file")


def parse_locations(path: Path | str) -> pl.DataFrame:
    """The whole list as one frame (for small lists and tests; loading uses the batches)."""
    return pl.concat(list(read_locations(path)))
