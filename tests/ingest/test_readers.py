import io
import json
from collections.abc import Callable, Iterator
from importlib.metadata import EntryPoint
from importlib.metadata import entry_points as real_entry_points
from pathlib import Path

import polars as pl
import pytest

import borderlink.ingest.readers as readers_module
from borderlink.errors import ConfigurationError, InvalidInput
from borderlink.ingest import formats, prepare_file, reader, registered_readers
from borderlink.ingest.delimited import Source, read_csv_chunks
from borderlink.ingest.readers import (
    FunctionReader,
    Reader,
    flatten_declaration,
    read_json_chunks,
)
from borderlink.services import Node
from borderlink.services.accounts.access import Principal
from borderlink.services.ingest.files import ingest_file
from tests.factories import GOOD


def test_csv_chunks_number_records_across_chunks(tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    path.write_text("a,b\n" + "".join(f"{i},x\n" for i in range(5)))
    chunks = list(read_csv_chunks(path, chunk_rows=2))
    assert [c.height for c in chunks] == [2, 2, 1]
    assert [n for c in chunks for n in c["_record_no"]] == [1, 2, 3, 4, 5]


def test_csv_bytes_that_are_not_utf8_become_replacement_characters(tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    path.write_bytes(b"a,b\n1,caf\xe9\n2,ok\n")
    [chunk] = list(read_csv_chunks(path, chunk_rows=10))
    assert "\ufffd" in chunk["b"][0]
    assert chunk["b"][1] == "ok"


def test_csv_fields_past_the_header_make_the_record_malformed(tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    path.write_text('a,b,c\n1,2,3\n4,5,6,7,8\n9,10,11,\n"x,y",z,\n12,13\n')
    [chunk] = list(read_csv_chunks(path, chunk_rows=10))
    assert chunk.columns == ["_record_no", "a", "b", "c", "_error", "_raw"]
    assert chunk["_record_no"].to_list() == [1, 2, 3, 4, 5]
    assert chunk["_error"][1] == "the record has 2 more field(s) than the header's 3: 7, 8"
    assert chunk["_raw"][1] == "4,5,6,7,8"
    # an empty trailing field is a trailing separator, not data
    assert [chunk["_error"][i] for i in (0, 2, 3)] == [None] * 3
    assert chunk.row(3)[:4] == (4, "x,y", "z", None)


def test_a_short_record_is_malformed_naming_the_missing_fields(tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    path.write_text("a,b,c\n1,2,\n12,13\n14\n")
    [chunk] = list(read_csv_chunks(path, chunk_rows=10))
    assert chunk["_error"].to_list() == [
        None,  # an empty last field is there, only empty
        "the record has 2 of the header's 3 fields: missing c",
        "the record has 1 of the header's 3 fields: missing b, c",
    ]


def test_a_clean_csv_has_no_error_column(tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    path.write_bytes("\ufeffa,b\n1,2\n".encode())  # a byte-order mark is not part of a name
    [chunk] = list(read_csv_chunks(path, chunk_rows=10))
    assert chunk.columns == ["_record_no", "a", "b"]


def test_a_header_naming_a_column_twice_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    path.write_text("a,b,a\n1,2,3\n")
    with pytest.raises(InvalidInput, match="'a' twice"):
        list(read_csv_chunks(path, chunk_rows=10))


DECLARATION = {
    "id": "J1",
    "date": "2024-05-01",
    "office": "OF1",
    "parties": [
        {"id": "IMP", "role": "importer", "name": "Importer Ltd"},
        {"id": "EXP", "role": "exporter", "country": "VN"},
    ],
    "transport": {"mode": "1", "departure_country": "VN"},
    "items": [
        {"hs_code": "851713", "value": 10, "currency": "USD"},
        {"item_no": 7, "hs_code": "640399", "aeo": True},
    ],
    "outcome": {"illicit": True, "severity": 2},
}


def test_a_declaration_flattens_to_one_row_per_item() -> None:
    rows = flatten_declaration(DECLARATION)
    assert [r["item_no"] for r in rows] == ["1", "7"]
    assert {r["importer_id"] for r in rows} == {"IMP"}
    assert rows[0]["exporter_country"] == "VN"
    assert rows[1]["aeo"] == "true"
    assert rows[0]["illicit"] == "true"


def test_json_lines_keep_a_malformed_line_as_an_error_row(tmp_path: Path) -> None:
    path = tmp_path / "f.jsonl"
    path.write_text(json.dumps(DECLARATION) + "\n{not json\n" + json.dumps(DECLARATION) + "\n")
    [chunk] = list(read_json_chunks(path, chunk_rows=100))
    assert chunk["_record_no"].to_list() == [1, 1, 2, 3, 3]
    assert chunk["_error"].is_not_null().to_list() == [False, False, True, False, False]


def test_json_array_streams(tmp_path: Path) -> None:
    path = tmp_path / "f.json"
    path.write_text(json.dumps([DECLARATION] * 3))
    chunks = list(read_json_chunks(path, chunk_rows=2))
    assert sum(c.height for c in chunks) == 6


def test_json_streams_tell_lines_from_an_array() -> None:
    lines = io.BytesIO((json.dumps(DECLARATION) + "\n" + json.dumps(DECLARATION) + "\n").encode())
    array = io.BytesIO(b"  \n" + json.dumps([DECLARATION]).encode())
    assert [n for c in read_json_chunks(lines, chunk_rows=100) for n in c["_record_no"]] == [
        1,
        1,
        2,
        2,
    ]
    [chunk] = list(read_json_chunks(array, chunk_rows=100))
    assert chunk["item_no"].to_list() == ["1", "7"]


class _OneWay(io.RawIOBase):
    """A stream that cannot seek (a pipe, a request body)."""

    def __init__(self, data: bytes) -> None:
        self._data = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        chunk = self._data.read(len(buffer))
        buffer[: len(chunk)] = chunk
        return len(chunk)


def test_csv_reads_from_streams_seekable_or_not() -> None:
    data = b"a,b\n1,x\n2,y\n"
    for stream in (io.BytesIO(data), io.BufferedReader(_OneWay(data))):
        chunks = list(read_csv_chunks(stream, chunk_rows=1))
        assert [c.row(0) for c in chunks] == [(1, "1", "x"), (2, "2", "y")]


# --- the registry ---------------------------------------------------------------------------


@pytest.fixture
def fresh_registry() -> Iterator[None]:
    registered_readers.cache_clear()
    yield
    registered_readers.cache_clear()


def test_the_builtin_readers_are_registered() -> None:
    assert {"csv", "json"} <= set(formats())
    for name, found in registered_readers().items():
        assert isinstance(found, Reader)
        assert found.name == name
        assert found.description
    assert reader("csv") is readers_module.CSV


def test_an_unknown_format_is_refused_naming_the_registered_ones() -> None:
    with pytest.raises(InvalidInput, match="unknown format 'xml'; one of: csv, cusdec, json") as e:
        reader("xml")
    assert e.value.field == "format"


def _pipe_chunks(source: Source, chunk_rows: int) -> Iterator[pl.DataFrame]:
    """An add-on's format: pipe-separated values."""
    assert isinstance(source, Path)
    frame = pl.read_csv(source, separator="|", infer_schema=False).with_row_index(
        "_record_no", offset=1
    )
    yield from frame.with_columns(pl.col("_record_no").cast(pl.Int64)).iter_slices(chunk_rows)


PIPE = FunctionReader("pipe", "Pipe-separated values (a test add-on).", _pipe_chunks)


def _register(monkeypatch: pytest.MonkeyPatch, *extra: EntryPoint) -> None:

    def entry_points(group: str) -> list[EntryPoint]:
        return [*real_entry_points(group=group), *extra]

    monkeypatch.setattr(readers_module, "entry_points", entry_points)


def _pipe_file(tmp_path: Path) -> Path:
    path = tmp_path / "declarations.psv"
    rows = [GOOD, GOOD | {"declaration_id": "D2"}]
    path.write_text("|".join(GOOD) + "\n" + "".join("|".join(r.values()) + "\n" for r in rows))
    return path


def test_a_reader_registered_through_an_entry_point_is_used_by_ingest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_registry: None
) -> None:
    _register(monkeypatch, EntryPoint("pipe", f"{__name__}:PIPE", readers_module.GROUP))
    assert formats() == ("csv", "cusdec", "json", "pipe", "wco-dm-xml")
    [prepared] = list(prepare_file(_pipe_file(tmp_path), fmt="pipe", mapping="borderlink"))
    assert prepared.accepted["declaration_id"].to_list() == ["D1", "D2"]
    assert prepared.rejects == []


def test_a_registered_reader_is_used_by_the_ingest_service(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_registry: None, node: Node
) -> None:
    _register(monkeypatch, EntryPoint("pipe", f"{__name__}:PIPE", readers_module.GROUP))
    summary = ingest_file(node, Principal.system("test"), _pipe_file(tmp_path), format="pipe")
    assert (summary.rows, summary.accepted, summary.rejected) == (2, 2, 0)


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        (EntryPoint("pipe", f"{__name__}:_pipe_file", readers_module.GROUP), "is not a reader"),
        (EntryPoint("tsv", f"{__name__}:PIPE", readers_module.GROUP), "called 'pipe'"),
    ],
)
def test_a_broken_entry_point_is_a_configuration_error(
    monkeypatch: pytest.MonkeyPatch, fresh_registry: None, entry: EntryPoint, message: str
) -> None:
    _register(monkeypatch, entry)
    with pytest.raises(ConfigurationError, match=message):
        registered_readers()


def test_no_registered_reader_says_the_package_is_not_installed(
    monkeypatch: pytest.MonkeyPatch, fresh_registry: None
) -> None:
    empty: Callable[..., list[EntryPoint]] = lambda group: []  # noqa: E731
    monkeypatch.setattr(readers_module, "entry_points", empty)
    with pytest.raises(ConfigurationError, match="installed"):
        formats()


def test_bare_cr_line_endings_are_records_as_pythons_csv_reads_them(tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    path.write_bytes(b'a,b\r1,x\r2,y\r\n3,z\n4,"two\rlines"\r')
    [chunk] = list(read_csv_chunks(path, chunk_rows=10))
    assert chunk["a"].to_list() == ["1", "2", "3", "4"]
    assert chunk["b"][3] == "two\rlines"


def test_a_stray_or_unclosed_quote_costs_one_record_not_the_file(tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    path.write_bytes(b'a,b,c\n1,QLR"UBN9,x\n2,"open,y\n3,ok,z\n')
    [chunk] = list(read_csv_chunks(path, chunk_rows=10))
    # As Python's csv: a quote inside a field is kept; an open quote runs to the end of the file.
    assert chunk["b"][0] == 'QLR"UBN9'
    assert chunk["_record_no"].to_list() == [1, 2]
    assert chunk["_error"][1].startswith("not well-formed CSV")
    assert chunk["_raw"][1] == '2,"open,y\n3,ok,z'
