import json
from pathlib import Path

import pytest

from borderlink.errors import InvalidInput
from borderlink.ingest.readers import flatten_declaration, read_csv_chunks, read_json_chunks


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
    assert chunk.columns == ["_record_no", "a", "b", "c", "_error"]
    assert chunk["_record_no"].to_list() == [1, 2, 3, 4, 5]
    assert chunk["_error"][1] == "the record has 2 more field(s) than the header's 3: 7, 8"
    # an empty trailing field is a trailing separator, not data; a short line is left to
    # validation (its missing fields come in empty)
    assert [chunk["_error"][i] for i in (0, 2, 3, 4)] == [None] * 4
    assert chunk.row(3) == (4, "x,y", "z", None, None)
    assert chunk.row(4) == (5, "12", "13", None, None)


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
