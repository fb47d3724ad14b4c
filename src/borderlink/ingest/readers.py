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
from borderlink.ingest.columns import INPUT, ITEM
from borderlink.ingest.delimited import Source, looks_like, read_csv_chunks

GROUP = "borderlink.readers"
REPLACEMENT = "\ufffd"


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
    start = stream.tell()
    try:
        yield from ((item, None) for item in ijson.items(stream, "item", use_float=True))
    except ijson.JSONError as error:
        # The array is broken from here on: what follows is one record, kept as a reject,
        # rather than a failure that takes the declarations read so far with it.
        stream.seek(start)
        rest = stream.read(2000).decode("utf-8", errors="replace")
        yield {"_text": rest}, f"malformed JSON, the rest of the array could not be read: {error}"


def _first_byte(stream: IO[bytes]) -> bytes:
    """The first byte that is not blank (nor a BOM), the stream left where it was."""
    start = stream.tell()
    head = b""
    while not head.lstrip(b"\xef\xbb\xbf \t\r\n"):
        block = stream.read(256)
        if not block:
            break
        head += block
    stream.seek(start)
    return head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]


def _is_lines(stream: IO[bytes]) -> bool:
    """Whether a stream holds JSON Lines: its first non-blank byte does not open an array."""
    return _first_byte(stream) != b"["


_JSON_STARTS: Mapping[bytes, str] = MappingProxyType(
    {b"{": "one JSON object", b'"': "a JSON string"}
)


def _refuse_unlike_json(stream: IO[bytes], name: str, is_lines: bool) -> None:
    """A file that is not JSON declarations is refused in one line saying what it looks like."""
    start = stream.tell()
    head = stream.read(4096)
    stream.seek(start)
    kind = looks_like(head)
    first = _first_byte(stream)
    if kind is None and not first:
        kind = "an empty file"
    if kind is None and not is_lines and first != b"[":
        kind = _JSON_STARTS.get(first, "something else than a JSON array")
        if first == b"{":
            kind += " (a .json file holds an array of declarations; .jsonl one per line)"
    if kind is None and is_lines and first not in (b"{", b"["):
        kind = "something else than JSON Lines"
    if kind:
        raise InvalidInput(f"{name}: not wco-json declarations, it looks like {kind}", field="file")


def read_json_chunks(source: Source, chunk_rows: int) -> Iterator[pl.DataFrame]:
    """Stream a JSON array (``.json``) or JSON Lines (``.jsonl``) file of declarations; a stream
    is JSON Lines unless it opens an array.

    ``_record_no`` is the declaration's position in the file; its items share it.
    """
    if isinstance(source, Path):
        with source.open("rb") as handle:
            is_lines = source.suffix.lower() in {".jsonl", ".ndjson"}
            _refuse_unlike_json(handle, str(source), is_lines)
            yield from _json_chunks(handle, is_lines, chunk_rows)
    else:
        stream = source if source.seekable() else io.BytesIO(source.read())
        is_lines = _is_lines(stream)
        _refuse_unlike_json(stream, "the submitted data", is_lines)
        yield from _json_chunks(stream, is_lines, chunk_rows)


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
    # Every canonical column, present or not: a key no declaration has is a missing value in
    # each (a reject per declaration that needs it), not a file the mapping cannot read.
    columns = sorted(({key for row in rows for key in row} | set(INPUT)) - {"_record_no"})
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
