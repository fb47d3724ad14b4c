import json
from pathlib import Path

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
