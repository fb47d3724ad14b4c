"""CSV: a fast reader (Arrow's) and a tolerant one (Python's ``csv``), every record counted.

Python's ``csv`` module is the reference for what a record is: it ends a line at LF, CRLF or a
bare CR, takes a quote inside an unquoted field literally and never stops at a malformed
record. Arrow's reader agrees with it and hands over each record whose field count is not the
header's, with its text; such a record is judged here (a trailing separator is harmless, a
missing or extra field is not). A block Arrow cannot parse at all (a record longer than its
block) sends the rest of the file to the tolerant reader. Either way each record the reference
counts comes out as one row: ``_record_no`` numbers them, and a record that is not well-formed
carries ``_error`` (the reason) and ``_raw`` (its text).

Offers :func:`read_csv_chunks`, :func:`csv_header`, :func:`count_records` (the reference count)
and :func:`looks_like` (what a file that is not text is: an image, an archive, ...).
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import polars as pl
import pyarrow as pa  # type: ignore[import-untyped]  # no stubs: Arrow's CSV reader only
import pyarrow.csv as pa_csv  # type: ignore[import-untyped]  # no stubs

from borderlink.errors import InvalidInput

Source = Path | IO[bytes]

# A field may be long (a 1 MB description is a record to reject, not a crash); past this an
# unclosed quote has swallowed the file, and the reader says so.
FIELD_LIMIT = 64 << 20
# How much of a malformed record's text a reject keeps.
RAW_LIMIT = 256 << 10
# Arrow reads this much at a time; a record longer than that sends the rest to the tolerant reader.
BLOCK_BYTES = 16 << 20

# A record as RFC 4180 writes it: fields unquoted (no quote, no line break) or wholly quoted.
_FIELD = r'(?:"(?:[^"]|"")*"|[^",\r\n]*)'
_WELL_FORMED = re.compile(rf"{_FIELD}(?:,{_FIELD})*(?:\r\n|\n|\r)?", re.DOTALL)
_NOT_WELL_FORMED = (
    "not well-formed CSV: a quote inside an unquoted field, or a quoted field left open"
)

# What a file that is not text starts with, and what it is then.
_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"%PDF-", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive (an .xlsx or .docx file is one)"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"\xd0\xcf\x11\xe0", "an old Microsoft Office document (.xls, .doc)"),
    (b"SQLite format 3\x00", "an SQLite database"),
    (b"\x7fELF", "a program (ELF)"),
)


def looks_like(head: bytes) -> str | None:
    """What the first bytes of a file say it is, when that is not text; ``None`` for text."""
    for signature, kind in _SIGNATURES:
        if head.startswith(signature):
            return kind
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "UTF-16 text (save it as UTF-8)"
    sample = head[:4096]
    controls = sum(1 for byte in sample if byte < 32 and byte not in (9, 10, 13))
    if sample and controls * 10 > len(sample):  # a stray NUL is a bad field; this is binary
        return "binary data"
    return None


def label(source: Source) -> str:
    return str(source) if isinstance(source, Path) else "the submitted data"


@contextmanager
def _binary(source: Source) -> Iterator[IO[bytes]]:
    """The source as a binary stream from its start (a stream is rewound, and left open)."""
    if isinstance(source, Path):
        with source.open("rb") as handle:
            yield handle
        return
    source.seek(0)
    yield source
    source.seek(0)


@contextmanager
def _text(source: Source) -> Iterator[IO[str]]:
    """The source as text as ``csv`` wants it: undecodable bytes as U+FFFD, no BOM, newline=''."""
    with _binary(source) as stream:
        text = io.TextIOWrapper(stream, encoding="utf-8-sig", errors="replace", newline="")
        try:
            yield text
        finally:
            text.detach()  # a stream handed in stays open


def _refuse_binary(source: Source) -> None:
    with _binary(source) as stream:
        head = stream.read(4096)
    kind = looks_like(head)
    if kind is None and head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"{", b"["):
        kind = "JSON (use --format json)"
    if kind:
        raise InvalidInput(f"{label(source)}: not a CSV file, it looks like {kind}", field="file")


def csv_header(source: Source) -> list[str]:
    """The header line's names; :class:`InvalidInput` for no header, a repeated name, or a file
    that is not CSV at all."""
    _refuse_binary(source)
    with _text(source) as text:
        try:
            header = next(csv.reader(text), None)
        except csv.Error as error:
            raise InvalidInput(f"{label(source)}: unreadable CSV header: {error}") from None
    if not header:
        raise InvalidInput(f"{label(source)}: empty CSV file (no header line)")
    repeated = sorted({name for name in header if header.count(name) > 1})
    if repeated:
        raise InvalidInput(
            f"{label(source)}: the header names {', '.join(map(repr, repeated))} twice"
        )
    return header


def count_records(source: Source) -> int:
    """The data records Python's ``csv`` finds (blank lines are not records): the reference."""
    with _text(source) as text:
        reader = csv.reader(_Lines(text), strict=False)
        _field_limit()
        next(reader, None)
        return sum(1 for row in _records(reader) if row)


def _field_limit() -> None:
    # The limit is the csv module's own (process-wide) setting: raised, never lowered.
    if csv.field_size_limit() < FIELD_LIMIT:
        csv.field_size_limit(FIELD_LIMIT)


def _records(reader: Iterator[list[str]]) -> Iterator[list[str] | None]:
    """Records, with ``None`` for one ``csv`` could not read (a field past the limit)."""
    while True:
        try:
            yield next(reader)
        except StopIteration:
            return
        except csv.Error:
            yield None


def read_csv_chunks(source: Source, chunk_rows: int) -> Iterator[pl.DataFrame]:
    """Stream a CSV file in chunks of at most ``chunk_rows`` records (bounded memory for a path;
    a stream that cannot seek is read into memory first)."""
    source = source if isinstance(source, Path) else _rewindable(source)
    header = csv_header(source)
    done = 0
    try:
        for chunk in fast_chunks(source, header, chunk_rows):
            done = int(chunk["_record_no"][-1])
            yield chunk
    except pa.ArrowInvalid:
        # The records before the block it could not parse were read alike by both readers.
        yield from tolerant_chunks(source, header, chunk_rows, skip=done)


def _rewindable(stream: IO[bytes]) -> IO[bytes]:
    """The stream itself when it can seek back, else its bytes in memory."""
    return stream if stream.seekable() else io.BytesIO(stream.read())


def _empty_is_null(columns: list[str]) -> list[pl.Expr]:
    return [pl.when(pl.col(c) != "").then(pl.col(c)).alias(c) for c in columns]


class _Recoded(io.RawIOBase):
    """A binary stream as valid UTF-8: bytes that are not become U+FFFD (validation rejects
    those), before Arrow sees them (it would refuse the block, or the record's text)."""

    def __init__(self, stream: IO[bytes]) -> None:
        self._stream = stream
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        block = self._stream.read(-1 if size is None else size)
        if block.isascii() and not self._decoder.getstate()[0]:
            return block  # nothing to check, nothing held back: the usual case, at no cost
        # A character split between blocks waits in the decoder for its other bytes.
        return self._decoder.decode(block, final=not block).encode("utf-8")


def fast_chunks(source: Source, header: list[str], chunk_rows: int) -> Iterator[pl.DataFrame]:
    """Arrow's reader; raises ``ArrowInvalid`` on a block it cannot parse."""
    odd: list[tuple[int, str]] = []  # (record number, text) of records with the wrong width

    def handle(row: pa_csv.InvalidRow) -> str:
        odd.append((int(row.number or 0) - 1, row.text))  # Arrow counts the header line
        return "skip"

    with _binary(source) as stream:
        batches = pa_csv.open_csv(
            _Recoded(stream),
            read_options=pa_csv.ReadOptions(
                column_names=header,
                skip_rows=1,
                use_threads=False,  # numbers the records it hands over (threads do not)
                block_size=BLOCK_BYTES,
            ),
            parse_options=pa_csv.ParseOptions(newlines_in_values=True, invalid_row_handler=handle),
            convert_options=pa_csv.ConvertOptions(
                column_types=dict.fromkeys(header, pa.string()),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
        pending: list[pl.DataFrame] = []
        held, next_no = 0, 1
        for batch in batches:
            frame = pl.from_arrow(batch)
            assert isinstance(frame, pl.DataFrame)
            numbered, next_no = _number(frame, odd, next_no, header)
            odd.clear()
            pending.append(numbered)
            held += numbered.height
            while held >= chunk_rows:
                chunk, rest = _split(pl.concat(pending, how="diagonal"), chunk_rows)
                yield chunk
                pending, held = ([rest], rest.height) if rest.height else ([], 0)
        if odd:
            pending.append(_odd_frame(odd, header))
        if pending:
            yield pl.concat(pending, how="diagonal").sort("_record_no")


def _split(frame: pl.DataFrame, rows: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    frame = frame.sort("_record_no")
    return frame.head(rows), frame.slice(rows)


def _number(
    frame: pl.DataFrame, odd: list[tuple[int, str]], next_no: int, header: list[str]
) -> tuple[pl.DataFrame, int]:
    """The block's rows numbered around the odd records Arrow handed over while reading it."""
    taken = {number for number, _ in odd}
    numbers: list[int] = []
    number = next_no
    while len(numbers) < frame.height:
        if number not in taken:
            numbers.append(number)
        number += 1
    last = max([number - 1, *taken])
    out = frame.with_columns(_empty_is_null(header)).select(
        pl.Series("_record_no", numbers, dtype=pl.Int64), *header
    )
    if odd:
        out = pl.concat([out, _odd_frame(odd, header)], how="diagonal")
    return out, last + 1


def _odd_frame(odd: list[tuple[int, str]], header: list[str]) -> pl.DataFrame:
    """Records whose field count is not the header's, read again by ``csv`` and judged."""
    batch = []
    for number, text in odd:
        row = next(csv.reader(io.StringIO(text), strict=False), [])
        batch.append((number, *_judge(row, text, header)))
    return _frame(header, batch)


class _Lines:
    """The physical lines ``csv`` pulls, kept until taken: a record's raw text."""

    def __init__(self, text: IO[str]) -> None:
        self._lines = iter(text)
        self.taken: list[str] = []

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        line = next(self._lines)
        self.taken.append(line)
        return line

    def take(self) -> str:
        """The record's text without its line ending (as Arrow hands a record over)."""
        raw = "".join(self.taken)
        self.taken.clear()
        return raw[:-2] if raw.endswith("\r\n") else raw[:-1] if raw[-1:] in "\r\n" else raw


def tolerant_chunks(
    source: Source, header: list[str], chunk_rows: int, *, skip: int = 0
) -> Iterator[pl.DataFrame]:
    """Python's ``csv``, one record at a time, after the first ``skip`` records."""
    _field_limit()
    with _text(source) as text:
        lines = _Lines(text)
        reader = csv.reader(lines, strict=False)
        next(reader, None)
        lines.take()
        record_no = 0
        batch: list[tuple[int, list[str], str | None, str | None]] = []
        for row in _records(reader):
            raw = lines.take()
            if row == []:  # a blank line is no record, for either reader
                continue
            record_no += 1
            if record_no <= skip:
                continue
            batch.append((record_no, *_judge(row, raw, header)))
            if len(batch) >= chunk_rows:
                yield _frame(header, batch)
                batch = []
        if batch:
            yield _frame(header, batch)


def _judge(
    row: list[str] | None, raw: str, header: list[str]
) -> tuple[list[str], str | None, str | None]:
    """(the fields, the reason the record is malformed or None, its raw text if malformed)."""
    kept = raw if len(raw) <= RAW_LIMIT else raw[:RAW_LIMIT] + f"… ({len(raw) - RAW_LIMIT} more)"
    if row is None:
        return [], f"a field longer than {FIELD_LIMIT >> 20} MiB (a quoted field left open?)", kept
    width = len(header)
    if len(row) != width and '"' in raw and not _WELL_FORMED.fullmatch(raw):
        return row, _NOT_WELL_FORMED, kept
    if len(row) > width:
        extra = [field for field in row[width:] if field]
        if extra:
            reason = (
                f"the record has {len(extra)} more field(s) than the header's {width}: "
                f"{', '.join(extra)}"
            )
            return row, reason, kept
    elif len(row) < width:
        missing = ", ".join(header[len(row) :])
        return (
            row,
            f"the record has {len(row)} of the header's {width} fields: missing {missing}",
            None,
        )
    return row, None, None


def _frame(
    header: list[str], batch: list[tuple[int, list[str], str | None, str | None]]
) -> pl.DataFrame:
    width = len(header)
    rows = [(row + [""] * width)[:width] for _, row, _, _ in batch]
    data: dict[str, pl.Series] = {
        "_record_no": pl.Series([number for number, _, _, _ in batch], dtype=pl.Int64)
    }
    for name, values in zip(header, zip(*rows, strict=True), strict=True):
        data[name] = pl.Series(values, dtype=pl.String)
    frame = pl.DataFrame(data).with_columns(_empty_is_null(header))
    errors = [error for _, _, error, _ in batch]
    if any(error is not None for error in errors):
        frame = frame.with_columns(
            pl.Series("_error", errors, dtype=pl.String),
            pl.Series("_raw", [raw for _, _, _, raw in batch], dtype=pl.String),
        )
    return frame
