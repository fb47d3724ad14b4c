"""Reading small reference-data CSV files as text, and naming the first bad line when one is bad.

Every column is read as a string (codes keep their leading zeros); each parser then checks its
columns with Polars expressions and :func:`first_failure` names the earliest failing line.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from borderlink.errors import InvalidInput

LINE = "line"  # the 1-based line number of a record in its file (the header is line 1)


def read_text_csv(
    source: Path | str | bytes, *, required: Sequence[str], name: str | None = None
) -> pl.DataFrame:
    """Read a UTF-8 CSV (BOM or not) with every column as a stripped string, plus ``line``.

    Raises :class:`InvalidInput` when the file is not UTF-8, has no header, or lacks a
    ``required`` column (compared case-insensitively; the columns come back lower-cased).
    """
    label = name or (str(source) if not isinstance(source, bytes) else "<data>")
    data = source if isinstance(source, bytes) else _read_bytes(Path(source))
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise InvalidInput(
            f"{label}, line {line}: not UTF-8 (byte {data[error.start]:#04x} at offset "
            f"{error.start}); save the file as UTF-8",
            field=None,
        ) from None
    if not data.strip(b"\xef\xbb\xbf \r\n\t"):
        raise InvalidInput(f"{label}: the file is empty")
    try:
        frame = pl.read_csv(
            io.BytesIO(data),
            infer_schema=False,
            row_index_name=LINE,
            row_index_offset=2,
        )
    except pl.exceptions.PolarsError as error:
        ragged = _ragged_line(data)
        if ragged is not None:
            line, found, expected = ragged
            raise InvalidInput(
                f"{label}, line {line}: {found} fields where the header has {expected} "
                "(quote a value that holds a comma)"
            ) from None
        raise InvalidInput(f"{label}: not a readable CSV file: {error}") from None
    frame = frame.rename({c: c.strip().lower() for c in frame.columns if c != LINE})
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise InvalidInput(
            f"{label}, line 1: missing column {missing[0]!r} (the header has: "
            f"{', '.join(c for c in frame.columns if c != LINE)})",
            field=missing[0],
        )
    text_columns = [c for c in frame.columns if c != LINE]
    return frame.with_columns(
        pl.col(text_columns).str.strip_chars().replace("", None),
        pl.col(LINE).cast(pl.Int64),
    )


def _ragged_line(data: bytes) -> tuple[int, int, int] | None:
    """(line, fields, header fields) of the first record whose field count differs."""
    reader = csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""))
    header = next(reader, [])
    for record in reader:
        if record and len(record) != len(header):
            return reader.line_num, len(record), len(header)
    return None


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise InvalidInput(f"{path}: no such file") from None
    except OSError as error:
        raise InvalidInput(f"{path}: cannot read: {error.strerror}") from None


@dataclass(frozen=True)
class Check:
    """One rule a record must pass: ``bad`` is true where it fails; ``message`` may use
    ``{value}`` for the offending field's value."""

    field: str
    bad: pl.Expr
    message: str


def first_failure(frame: pl.DataFrame, checks: Sequence[Check], *, name: str) -> None:
    """Raise :class:`InvalidInput` for the earliest line failing any check; nothing if none."""
    found: tuple[int, Check, object] | None = None
    for check in checks:
        failing = frame.filter(check.bad.fill_null(False)).head(1)
        if failing.height:
            line = int(failing[LINE][0])
            if found is None or line < found[0]:
                value = failing[check.field][0] if check.field in failing.columns else None
                found = (line, check, value)
    if found is not None:
        line, check, value = found
        raise InvalidInput(
            f"{name}, line {line}, field {check.field!r}: {check.message.format(value=value)}",
            field=check.field,
        )


def require_rows(frame: pl.DataFrame, *, name: str, what: str) -> None:
    """Raise :class:`InvalidInput` when a file holds no records worth loading."""
    if frame.is_empty():
        raise InvalidInput(f"{name}: no {what} in the file")
