import polars as pl

from borderlink.refdata import ancestors, builtin_nomenclature, children_map, descendants

TREE = {"85": None, "8517": "85", "851711": "8517", "851713": "8517", "8518": "85"}


def test_ancestors_run_from_the_chapter_down_to_the_parent() -> None:
    assert ancestors("851713", TREE) == ["85", "8517"]
    assert ancestors("8517", TREE) == ["85"]
    assert ancestors("85", TREE) == []
    assert ancestors("999", TREE) == []


def test_descendants_are_depth_first_in_code_order() -> None:
    assert descendants("85", TREE) == ["8517", "851711", "851713", "8518"]
    assert descendants("8517", TREE) == ["851711", "851713"]
    assert descendants("851713", TREE) == []
    assert children_map(TREE)["85"] == ["8517", "8518"]


def test_a_cycle_in_a_bad_file_does_not_hang() -> None:
    cyclic = {"01": "0101", "0101": "01"}
    assert ancestors("0101", cyclic) == ["01"]
    assert descendants("01", cyclic) == ["0101"]


def test_works_over_a_nomenclature_frame() -> None:
    hs2022 = builtin_nomenclature()
    assert ancestors("851713", hs2022) == ["85", "8517"]
    below = descendants("8517", hs2022)
    assert "851713" in below
    assert "851762" in below
    assert all(code.startswith("8517") and len(code) == 6 for code in below)
    chapter = descendants("85", hs2022.filter(pl.col("code").str.starts_with("85")))
    assert chapter.index("8517") < chapter.index("851713") < chapter.index("8518")
