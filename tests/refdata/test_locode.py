from pathlib import Path

import pytest

from borderlink.errors import InvalidInput
from borderlink.refdata import parse_locations, read_locations

HEADER = (
    "Change,Country,Location,Name,NameWoDiacritics,Subdivision,Status,Function,Date,IATA,"
    "Coordinates,Remarks\n"
)


def write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "code-list.csv"
    path.write_text(HEADER + body, encoding="utf-8")
    return path


def test_reads_the_real_list_in_batches(shared_data: Path) -> None:
    path = shared_data / "un-locode" / "code-list-2025-1.csv"
    batches = list(read_locations(path, batch_rows=50_000))
    assert len(batches) >= 3
    assert all(batch.height <= 50_000 for batch in batches)
    codes = [code for batch in batches for code in batch["code"].to_list()]
    assert len(codes) == len(set(codes)) == 115_928  # 116,074 rows less repeated codes
    rows = {r["code"]: r for batch in batches for r in batch.iter_rows(named=True)}
    assert rows["NLRTM"]["name"] == "Rotterdam"
    assert rows["NLRTM"]["country"] == "NL"
    assert rows["NLRTM"]["functions"].startswith("1")  # a port
    assert rows["ADALV"]["coordinates"] == "4230N 00131E"


def test_country_headings_are_skipped_and_the_first_of_a_repeated_code_kept(
    tmp_path: Path,
) -> None:
    path = write(
        tmp_path,
        ",BE,,.BELGIUM,,,,,,,,\n"
        ",BE,BRU,Brussel (Bruxelles),Brussel (Bruxelles),BRU,AI,1234----,1101,,5050N 00420E,\n"
        ",BE,BRU,Bruxelles (Brussel),Bruxelles (Brussel),BRU,AI,1234----,1101,,5050N 00420E,\n"
        ",BE,ANR,Antwerpen,Antwerpen,VAN,AI,12345---,0501,,5113N 00425E,\n",
    )
    for batch_rows in (1, 2, 100):  # a repeat across a batch boundary is dropped too
        frame = parse_locations(path) if batch_rows == 100 else None
        codes = [
            (r["code"], r["name"])
            for b in read_locations(path, batch_rows=batch_rows)
            for r in b.iter_rows(named=True)
        ]
        assert codes == [("BEBRU", "Brussel (Bruxelles)"), ("BEANR", "Antwerpen")]
        if frame is not None:
            assert frame["code"].to_list() == ["BEBRU", "BEANR"]
            assert frame["subdivision"].to_list() == ["BRU", "VAN"]


@pytest.mark.parametrize(
    ("row", "field"),
    [
        (",B1,ANR,Antwerpen,Antwerpen,VAN,AI,12345---,0501,,,\n", "country"),
        (",BE,AN,Antwerpen,Antwerpen,VAN,AI,12345---,0501,,,\n", "location"),
        (",BE,ANR,,,VAN,AI,12345---,0501,,,\n", "name"),
        (",BE,ANR,Antwerpen,Antwerpen,VANX,AI,12345---,0501,,,\n", "subdivision"),
    ],
)
def test_a_bad_row_names_its_line_and_field(tmp_path: Path, row: str, field: str) -> None:
    good = ",BE,BRU,Brussel,Brussel,BRU,AI,1234----,1101,,5050N 00420E,\n"
    with pytest.raises(InvalidInput, match="line 3") as caught:
        list(read_locations(write(tmp_path, good + row)))
    assert caught.value.field == field


def test_missing_file_or_column_is_clear(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="no such file"):
        list(read_locations(tmp_path / "absent.csv"))
    path = tmp_path / "short.csv"
    path.write_text("Country,Name\nBE,Brussel\n", encoding="utf-8")
    with pytest.raises(InvalidInput, match="missing column 'location'"):
        list(read_locations(path))
    with pytest.raises(InvalidInput, match="no locations in the file"):
        list(read_locations(write(tmp_path, ",BE,,.BELGIUM,,,,,,,,\n")))
