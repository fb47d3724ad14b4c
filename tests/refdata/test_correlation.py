from pathlib import Path

import polars as pl
import pytest

from borderlink.errors import InvalidInput
from borderlink.refdata import correlation_maps, parse_correlation


def pairs_of(frame: pl.DataFrame, code: str) -> list[tuple[str, str | None]]:
    rows = frame.filter(pl.col("from_code") == code).sort("to_code")
    return list(zip(rows["to_code"].to_list(), rows["relationship"].to_list(), strict=True))


def test_reads_the_un_correlation_table_with_editions_from_the_header(shared_data: Path) -> None:
    frame = parse_correlation(shared_data / "hs" / "hs2022-hs2017-correlation.csv")
    assert frame.height == 15_656  # 15,657 rows less the 999999 filler
    assert frame.select("from_edition", "to_edition").unique().rows() == [("HS2022", "HS2017")]
    assert pairs_of(frame, "970531") == [("970500", "n:1")]
    assert "999999" not in frame["from_code"].to_list()


def test_the_named_from_edition_picks_its_column_and_flips_the_relationship(
    shared_data: Path,
) -> None:
    frame = parse_correlation(
        shared_data / "hs" / "hs2022-hs2017-correlation.csv", from_edition="HS2017"
    )
    assert frame.select("from_edition", "to_edition").unique().rows() == [("HS2017", "HS2022")]
    targets = pairs_of(frame, "970500")
    assert ("970531", "1:n") in targets
    assert len(targets) == 6


def test_the_two_column_conversion_file_has_no_relationships(shared_data: Path) -> None:
    frame = parse_correlation(shared_data / "hs" / "hs2022-to-hs2017-conversion.csv")
    assert frame.height == 5_612
    assert frame["from_code"].n_unique() == 5_612  # one HS 2017 code per HS 2022 code
    assert frame["relationship"].null_count() == 5_612
    assert pairs_of(frame, "010121") == [("010121", None)]


def test_maps_keep_only_unambiguous_codes_in_both_directions(shared_data: Path) -> None:
    maps = correlation_maps(parse_correlation(shared_data / "hs" / "hs2022-hs2017-correlation.csv"))
    old_to_new = maps[("HS2017", "HS2022")]
    new_to_old = maps[("HS2022", "HS2017")]
    assert old_to_new["620111"] == "620120"  # HS 2017 only, one HS 2022 code
    assert "970500" not in old_to_new  # split into six HS 2022 codes
    assert new_to_old["970531"] == "970500"
    assert old_to_new["010121"] == "010121"


def test_maps_of_a_small_table() -> None:
    frame = parse_correlation(b"hs2017,hs2022\n010101,020202\n030303,040404\n030303,050505\n")
    assert pairs_of(frame, "030303") == [("040404", None), ("050505", None)]
    maps = correlation_maps(frame)
    assert maps[("HS2017", "HS2022")] == {"010101": "020202"}
    assert maps[("HS2022", "HS2017")] == {
        "020202": "010101",
        "040404": "030303",
        "050505": "030303",
    }
    assert correlation_maps(frame.clear()) == {}


def test_a_header_without_editions_needs_them_named() -> None:
    data = b"old,new\n10121,010121\n"
    with pytest.raises(InvalidInput, match="cannot tell which edition"):
        parse_correlation(data)
    frame = parse_correlation(data, from_edition="2017", to_edition="hs2022")
    assert frame.row(0) == ("HS2017", "010121", "HS2022", "010121", None)
    with pytest.raises(InvalidInput, match="both HS2017"):
        parse_correlation(data, from_edition="HS2017", to_edition="HS2017")


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ("010121,010121,1:1\n0101AB,010121,1:1\n", "from_code", "not an HS code"),
        ("010121,010121,1:1\n010129,,1:1\n", "to_code", "missing hs2017 code"),
        ("010121,010121,1:1\n010129,010129,2:1\n", "relationship", "not one of"),
    ],
)
def test_a_bad_row_names_its_line_and_field(body: str, field: str, words: str) -> None:
    data = ("hs2022,hs2017,relationship\n" + body).encode()
    with pytest.raises(InvalidInput, match="line 3") as caught:
        parse_correlation(data)
    assert caught.value.field == field
    assert words in caught.value.detail


def test_needs_two_code_columns() -> None:
    with pytest.raises(InvalidInput, match="two code columns"):
        parse_correlation(b"hs2022,relationship\n010121,1:1\n")
    with pytest.raises(InvalidInput, match="no code pairs"):
        parse_correlation(b"hs2022,hs2017\n999999,999999\n")
