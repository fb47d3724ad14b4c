from pathlib import Path

import polars as pl
import pytest

from borderlink.errors import InvalidInput
from borderlink.refdata import (
    builtin_nomenclature,
    edition_from_name,
    is_filler,
    normalise_code,
    normalise_edition,
    parse_hs,
)

HEADER = "section,hscode,description,parent,level\n"


def levels(frame: pl.DataFrame) -> dict[int, int]:
    counts = frame.group_by("level").len()
    return dict(zip(counts["level"].to_list(), counts["len"].to_list(), strict=True))


def test_parses_the_real_hs2022_file(shared_data: Path) -> None:
    frame = parse_hs(shared_data / "hs" / "hs2022.csv", "HS2022")
    assert levels(frame) == {2: 96, 4: 1228, 6: 5612}
    assert frame["edition"].unique().to_list() == ["HS2022"]
    codes = set(frame["code"].to_list())
    assert {"01", "0101", "010121", "8517", "851713"} <= codes
    assert not codes & {"TOTAL", "99", "9999", "999999"}
    rows = {r["code"]: r for r in frame.iter_rows(named=True)}
    assert rows["010121"]["parent"] == "0101"
    assert rows["0101"]["parent"] == "01"
    assert rows["01"]["parent"] is None
    assert rows["01"]["section"] == "I"
    assert rows["8517"]["section"] == "XVI"


def test_parses_hs2017_with_its_byte_order_mark(shared_data: Path) -> None:
    path = shared_data / "hs" / "hs2017.csv"
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    frame = parse_hs(path, "hs 2017")
    assert levels(frame)[6] == 5387
    assert frame["edition"][0] == "HS2017"
    assert "847130" in frame["code"].to_list()


def test_builtin_nomenclature_matches_the_hs2022_file(shared_data: Path) -> None:
    from_file = parse_hs(shared_data / "hs" / "hs2022.csv", "HS2022")
    builtin = builtin_nomenclature()
    assert levels(builtin) == levels(from_file)
    assert set(builtin["code"].to_list()) == set(from_file["code"].to_list())


def test_puts_back_leading_zeros_a_spreadsheet_dropped() -> None:
    data = (
        HEADER + "I,1,Animals; live,TOTAL,2\nI,101,Horses,1,4\nI,10121,Pure-bred,101,6\n"
    ).encode()
    frame = parse_hs(data, "HS2022")
    assert frame["code"].to_list() == ["01", "0101", "010121"]
    assert frame["parent"].to_list() == [None, "01", "0101"]


@pytest.mark.parametrize(
    ("body", "line", "field", "words"),
    [
        ("I,01,Animals,TOTAL,2\nI,01A1,Horses,01,4\n", 3, "hscode", "not an HS code"),
        ("I,01,Animals,TOTAL,2\nI,0101,Horses,01,6\n", 3, "level", "does not match"),
        ("I,01,Animals,TOTAL,2\nI,0101,Horses,01,four\n", 3, "level", "not a number"),
        ("I,01,Animals,TOTAL,2\nI,0101,,01,4\n", 3, "description", "missing description"),
        ("I,01,Animals,TOTAL,2\nI,0101,Horses,02,4\n", 3, "parent", "prefix"),
        ("I,01,Animals,TOTAL,2\nI,0101,Horses,,4\n", 3, "parent", "missing parent"),
        ("I,01,Animals,TOTAL,2\nI,01,Again,TOTAL,2\n", 3, "hscode", "listed twice"),
        ("I,01,Animals,TOTAL,2\nI,,Horses,01,4\n", 3, "hscode", "missing HS code"),
    ],
)
def test_a_bad_row_names_its_line_and_field(body: str, line: int, field: str, words: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_hs((HEADER + body).encode(), "HS2022", name="broken.csv")
    assert caught.value.field == field
    assert f"broken.csv, line {line}" in caught.value.detail
    assert words in caught.value.detail


def test_missing_column_empty_file_and_wrong_encoding_are_clear(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="missing column 'level'") as caught:
        parse_hs(b"section,hscode,description,parent\nI,01,Animals,TOTAL\n", "HS2022")
    assert caught.value.field == "level"
    with pytest.raises(InvalidInput, match="empty"):
        parse_hs(b"", "HS2022")
    with pytest.raises(InvalidInput, match="no HS codes in the file"):
        parse_hs(HEADER.encode(), "HS2022")
    latin1 = (HEADER + "I,01,Animals,TOTAL,2\nI,0101,Chevaux \xe9lev\xe9s,01,4\n").encode("latin-1")
    with pytest.raises(InvalidInput, match="line 3: not UTF-8"):
        parse_hs(latin1, "HS2022")
    with pytest.raises(InvalidInput, match="no such file"):
        parse_hs(tmp_path / "absent.csv", "HS2022")


def test_a_ragged_line_is_named() -> None:
    data = (HEADER + "I,01,Animals,TOTAL,2\nI,0101,Horses, asses,01,4\n").encode()
    with pytest.raises(InvalidInput, match="line 3: 6 fields where the header has 5"):
        parse_hs(data, "HS2022")


def test_fillers_and_the_total_row_are_dropped() -> None:
    body = (
        "TOTAL,TOTAL,Total of all HS commodities,TOTAL,0\nI,01,Animals,TOTAL,2\n"
        "XXII,99,Not specified,TOTAL,2\nXXII,9999,Not specified,99,4\n"
        "XXII,999999,Not specified,9999,6\n"
    )
    assert parse_hs((HEADER + body).encode(), "HS2022")["code"].to_list() == ["01"]
    assert is_filler("9999")
    assert not is_filler("9701")
    assert not is_filler("99999999")


@pytest.mark.parametrize(
    ("name", "edition"),
    [
        ("HS2022", "HS2022"),
        ("hs 2017", "HS2017"),
        ("2012", "HS2012"),
        ("HS92", "HS1992"),
        ("hs_2007", "HS2007"),
        ("kr2022", "KR2022"),
    ],
)
def test_edition_names_are_normalised(name: str, edition: str) -> None:
    assert normalise_edition(name) == edition


def test_bad_edition_names_and_codes_are_refused() -> None:
    with pytest.raises(InvalidInput):
        normalise_edition("the 2022 edition")
    assert edition_from_name("hs2017.csv") == "HS2017"
    assert edition_from_name("nomenclature.csv") is None
    assert normalise_code("8517.13") == "851713"
    assert normalise_code(" 85 ") == "85"
    with pytest.raises(InvalidInput):
        normalise_code("851")
