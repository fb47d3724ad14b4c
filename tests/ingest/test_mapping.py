from importlib.metadata import EntryPoint
from importlib.metadata import entry_points as real_entry_points
from pathlib import Path

import polars as pl
import pytest

import borderlink.ingest.mapping as mapping_module
from borderlink.errors import InvalidInput, NotFound
from borderlink.ingest import load_mapping, mapping_names


def test_builtin_mappings_are_listed_and_load() -> None:
    assert {"kcs", "borderlink"} <= set(mapping_names())
    assert load_mapping("kcs").columns["exporter_id"] == "Seller ID"


def test_unknown_mapping_name_lists_the_registered_ones() -> None:
    with pytest.raises(NotFound, match="registered mappings: borderlink, kcs"):
        load_mapping("nope")


def test_a_mapping_registered_through_an_entry_point_loads_by_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # An add-on ships its mapping as data: a package holding <name>.yaml, named by an entry point.
    package = tmp_path / "addon_mappings"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "customs_x.yaml").write_text(
        "name: customs_x\ndescription: an add-on's layout\ncolumns: {declaration_id: DECL NO}\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    extra = EntryPoint("customs_x", "addon_mappings", mapping_module.GROUP)

    def entry_points(group: str) -> list[EntryPoint]:
        return [*real_entry_points(group=group), extra]

    monkeypatch.setattr(mapping_module, "entry_points", entry_points)
    mapping_module.registered_mappings.cache_clear()
    try:
        assert mapping_names() == ["borderlink", "customs_x", "kcs"]
        assert load_mapping("customs_x").columns == {"declaration_id": "DECL NO"}
    finally:
        mapping_module.registered_mappings.cache_clear()


def test_a_mapping_naming_an_unknown_target_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    path.write_text("name: x\ncolumns: {declaration_idd: ID}\n")
    with pytest.raises(InvalidInput, match="declaration_idd"):
        load_mapping(path)


def test_apply_renames_pads_and_fills_constants() -> None:
    mapping = load_mapping("kcs")
    raw = pl.DataFrame(
        {
            "_record_no": [1],
            **{source: ["x"] for source in mapping.columns.values()},
        }
    ).with_columns(pl.lit("10121").alias("HS6 Code"), pl.lit("").alias("Courier ID"))
    out = mapping.apply(raw)
    row = out.row(0, named=True)
    assert row["hs_code"] == "010121"
    assert row["currency"] == "KRW"
    assert row["item_no"] == "1"
    assert row["carrier_id"] is None  # empty text is missing, not ""


def test_missing_required_source_column_names_it() -> None:
    mapping = load_mapping("kcs")
    raw = pl.DataFrame({"_record_no": [1], "Declaration ID": ["1"]})
    with pytest.raises(InvalidInput, match="HS6 Code"):
        mapping.apply(raw)


def test_optional_source_columns_may_be_absent() -> None:
    mapping = load_mapping("kcs")
    sources = [s for t, s in mapping.columns.items() if t not in mapping.optional]
    raw = pl.DataFrame({"_record_no": [1], **{s: ["1"] for s in sources}})
    assert mapping.apply(raw)["illicit"].to_list() == [None]
