"""Readers: a source file → chunks of text columns with a 1-based ``_record_no``, in a registry.

Everything is read as text, so validation sees exactly what the file said and a rejected record
keeps its raw form. Bytes that are not UTF-8 become U+FFFD; validation rejects such records.

A reader is anything that satisfies :class:`Reader`. Readers are found through the entry point
group ``borderlink.readers`` (name = the format, value = the reader object); the built-ins
(:data:`CSV`, :data:`JSON`) are declared there the same way an add-on declares its own, in
``pyproject.toml``. Offers :func:`registered_readers` (the registry), :func:`reader` (one by
format, or :class:`InvalidInput` naming the known ones), :func:`formats`, :func:`read_chunks`.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from importlib.metadata import entry_points
from pathlib import Path
from types import MappingProxyType
from typing import IO, Any, Protocol, runtime_checkable

import ijson
import polars as pl

from borderlink.errors import ConfigurationError, InvalidInput
from borderlink.ingest.columns import ITEM

GROUP = "borderlink.readers"
REPLACEMENT = "\ufffd"

Source = Path | IO[bytes]


@runtime_checkable
class Reader(Protocol):
    """One input format: its name (the ``--format``), a line for people, and the reading.

    ``read`` yields frames of text columns (``pl.String``) plus ``_record_no`` (``Int64``, 1-based,
    in file order) and, for records the reader could not parse, ``_error`` (the reason). A chunk
    holds at most about ``chunk_rows`` rows. A source is a path or a binary stream.
    """

    @property
    def name(self) -> str: ...

    @property
    def description(self) -> str: ...

    def read(self, source: Source, chunk_rows: int) -> Iterator[pl.DataFrame]: ...


@cache
def registered_readers() -> Mapping[str, Reader]:
    """Every registered reader by format name (loaded once per process)."""
    found: dict[str, Reader] = {}
    for point in entry_points(group=GROUP):
        loaded = point.load()
        if not isinstance(loaded, Reader):
            raise ConfigurationError(f"entry point {point.name} = {point.value} is not a reader")
        if loaded.name != point.name:
            raise ConfigurationError(
                f"entry point {point.name} = {point.value} names a reader called {loaded.name!r}"
            )
        found[point.name] = loaded
    if not found:
        raise ConfigurationError(f"no {GROUP} entry points: is borderlink installed (pip install)?")
    return MappingProxyType(dict(sorted(found.items())))


def formats() -> tuple[str, ...]:
    """The names of the registered formats, sorted."""
    return tuple(registered_readers())


def reader(fmt: str) -> Reader:
    """The reader of format ``fmt``; :class:`InvalidInput` (naming the known ones) if none."""
    known = registered_readers()
    if fmt not in known:
        raise InvalidInput(f"unknown format {fmt!r}; one of: {', '.join(known)}", field="format")
    return known[fmt]


def read_chunks(path: Source, fmt: str, chunk_rows: int) -> Iterator[pl.DataFrame]:
    return reader(fmt).read(path, chunk_rows)


def _label(source: Source) -> str:
    return str(source) if isinstance(source, Path) else "the submitted data"


def _rewindable(stream: IO[bytes]) -> IO[bytes]:
    """The stream itself when it can seek back, else its bytes in memory."""
    return stream if stream.seekable() else io.BytesIO(stream.read())


# Spare columns past the header's: a line with more fields than the header fills them, and is
# rejected as malformed instead of being cut to fit. Past the spares Polars still cuts, so a line
# whose first eight extra fields are all empty and whose ninth is not is the one case that goes
# unseen; more spares cost every chunk memory for a case no exporter produces.
SPARE_FIELDS = 8


def _csv_header(source: Source) -> list[str]:
    if isinstance(source, Path):
        with source.open(encoding="utf-8-sig", errors="replace", newline="") as handle:
            header = next(csv.reader(handle), None)
    else:
        text = io.TextIOWrapper(source, encoding="utf-8-sig", errors="replace", newline="")
        header = next(csv.reader(text), None)
        text.detach()  # the stream stays open for the scan
        source.seek(0)
    if not header:
        raise InvalidInput(f"{_label(source)}: empty CSV file (no header line)")
    repeated = sorted({name for name in header if header.count(name) > 1})
    if repeated:
        raise InvalidInput(
            f"{_label(source)}: the header names {', '.join(map(repr, repeated))} twice"
        )
    return header


def read_csv_chunks(source: Source, chunk_rows: int) -> Iterator[pl.DataFrame]:
    """Stream a CSV file in chunks of at most ``chunk_rows`` records (bounded memory for a path;
    a stream that cannot seek is read into memory first)."""
    source = source if isinstance(source, Path) else _rewindable(source)
    header = _csv_header(source)
    spare = [f"_spare{i}" for i in range(SPARE_FIELDS)]
    frame = pl.scan_csv(
        source,
        has_header=False,
        skip_rows=1,
        schema=dict.fromkeys([*header, *spare], pl.String),
        encoding="utf8-lossy",
        row_index_name="_record_no",
        row_index_offset=1,
        truncate_ragged_lines=True,  # only past the spare columns
        missing_columns="insert",
        empty_string_is_null=True,
    )
    # A trailing separator (an empty last field) is common in exports and harmless; a field
    # with something in it past the header is not.
    overflows = pl.any_horizontal(pl.col(spare).is_not_null())
    extra = pl.concat_list(spare).list.drop_nulls()
    message = pl.format(
        "the record has {} more field(s) than the header's {}: {}",
        extra.list.len(),
        pl.lit(len(header)),
        extra.list.join(", "),
    )
    try:
        for chunk in frame.collect_batches(chunk_size=chunk_rows):
            if not chunk.height:
                continue
            chunk = chunk.with_columns(pl.col("_record_no").cast(pl.Int64))
            long = chunk.select(overflows).to_series()
            if long.any():  # rare: the message is built for those rows only
                chunk = chunk.with_columns(
                    pl.when(long).then(message).otherwise(None).alias("_error")
                )
            yield chunk.drop(spare)
    except pl.exceptions.PolarsError as error:
        raise InvalidInput(f"{_label(source)}: not a readable CSV file: {error}") from error


# --- our own JSON: one declaration per object, flattened to one row per goods item -----------

_HEADER_FIELDS = {
    "id": "declaration_id",
    "type": "declaration_type",
    "date": "declared_on",
    "office": "office_id",
    "procedure": "procedure",
    "import_type": "import_type",
    "import_use": "import_use",
    "payment_type": "payment_type",
}
_TRANSPORT_FIELDS = {
    "mode": "transport_mode",
    "conveyance": "conveyance",
    "departure_country": "departure_country",
    "loading_location": "loading_location",
    "discharge_location": "discharge_location",
}
_ITEM_FIELDS = ITEM  # a JSON goods item's keys are the canonical item columns
_PARTY_COLUMNS = {
    "importer": "importer_id",
    "exporter": "exporter_id",
    "declarant": "declarant_id",
    "carrier": "carrier_id",
}


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def flatten_declaration(declaration: Any) -> list[dict[str, str | None]]:
    """One ``wco-json`` declaration → one text row per goods item (at least one row)."""
    if not isinstance(declaration, dict):
        return [{"_error": "a declaration must be a JSON object"}]
    header: dict[str, str | None] = {
        column: _text(declaration.get(key)) for key, column in _HEADER_FIELDS.items()
    }
    transport = declaration.get("transport") or {}
    if isinstance(transport, dict):
        header |= {column: _text(transport.get(key)) for key, column in _TRANSPORT_FIELDS.items()}
    for party in declaration.get("parties") or []:
        if not isinstance(party, dict):
            continue
        role = party.get("role")
        if role in _PARTY_COLUMNS:
            header[_PARTY_COLUMNS[role]] = _text(party.get("id"))
        if role == "importer":
            header["importer_name"] = _text(party.get("name"))
        if role == "exporter":
            header["exporter_name"] = _text(party.get("name"))
            header["exporter_country"] = _text(party.get("country"))
    outcome = declaration.get("outcome") or {}
    if isinstance(outcome, dict):
        for key in ("illicit", "severity", "revenue_recovered"):
            header[key] = _text(outcome.get(key))
    items = declaration.get("items")
    if not isinstance(items, list) or not items:
        return [header | {"hs_code": None}]
    rows = []
    for position, item in enumerate(items, start=1):
        item = item if isinstance(item, dict) else {}
        row = header | {key: _text(item.get(key)) for key in _ITEM_FIELDS}
        row["item_no"] = row["item_no"] or str(position)
        rows.append(row)
    return rows


def _iter_declarations(stream: IO[bytes], is_lines: bool) -> Iterator[tuple[Any, str | None]]:
    """Yield (declaration, error); a malformed line becomes an error, not a crash."""
    if is_lines:
        for line in stream:
            text = line.decode("utf-8", errors="replace").strip()
            if not text:
                continue
            try:
                yield json.loads(text), None
            except json.JSONDecodeError as error:
                yield {"_line": text[:2000]}, f"malformed JSON: {error.msg} at column {error.colno}"
        return
    try:
        yield from ((item, None) for item in ijson.items(stream, "item", use_float=True))
    except ijson.JSONError as error:
        raise InvalidInput(f"not a JSON array of declarations: {error}") from error


def _is_lines(stream: IO[bytes]) -> bool:
    """Whether a stream holds JSON Lines: its first non-blank byte does not open an array."""
    start = stream.tell()
    head = b""
    while not head.strip():
        block = stream.read(256)
        if not block:
            break
        head += block
    stream.seek(start)
    return not head.lstrip().startswith(b"[")


def read_json_chunks(source: Source, chunk_rows: int) -> Iterator[pl.DataFrame]:
    """Stream a JSON array (``.json``) or JSON Lines (``.jsonl``) file of declarations; a stream
    is JSON Lines unless it opens an array.

    ``_record_no`` is the declaration's position in the file; its items share it.
    """
    if isinstance(source, Path):
        with source.open("rb") as handle:
            is_lines = source.suffix.lower() in {".jsonl", ".ndjson"}
            yield from _json_chunks(handle, is_lines, chunk_rows)
    else:
        stream = _rewindable(source)
        yield from _json_chunks(stream, _is_lines(stream), chunk_rows)


def _json_chunks(stream: IO[bytes], is_lines: bool, chunk_rows: int) -> Iterator[pl.DataFrame]:
    rows: list[dict[str, Any]] = []
    for record_no, (declaration, error) in enumerate(_iter_declarations(stream, is_lines), start=1):
        flat = (
            [{"_error": error, "_raw": json.dumps(declaration)}]
            if error
            else flatten_declaration(declaration)
        )
        rows.extend({"_record_no": record_no, **row} for row in flat)
        if len(rows) >= chunk_rows:
            yield _frame(rows)
            rows = []
    if rows:
        yield _frame(rows)


def _frame(rows: list[dict[str, Any]]) -> pl.DataFrame:
    columns = sorted({key for row in rows for key in row} - {"_record_no"})
    schema: dict[str, type[pl.DataType]] = {"_record_no": pl.Int64} | {
        c: pl.String for c in columns
    }
    return pl.DataFrame(rows, schema=schema)


# --- the built-in readers, registered in pyproject.toml like any add-on's ---------------------


@dataclass(frozen=True)
class FunctionReader:
    """A reader made of a name, a description and a chunking function."""

    name: str
    description: str
    chunks: Callable[[Source, int], Iterator[pl.DataFrame]]

    def read(self, source: Source, chunk_rows: int) -> Iterator[pl.DataFrame]:
        return self.chunks(source, chunk_rows)


CSV = FunctionReader(
    "csv",
    "Comma-separated values with a header line; columns named as the mapping says.",
    read_csv_chunks,
)
JSON = FunctionReader(
    "json",
    "wco-json declarations (a JSON array, or JSON Lines for .jsonl/.ndjson), one row per goods "
    "item, in the canonical column names.",
    read_json_chunks,
)
