import datetime as dt

import polars as pl
import pytest

from borderlink.ingest import load_mapping, prepare
from borderlink.ingest.columns import INPUT
from borderlink.ingest.rules import max_lengths
from borderlink.refdata import RefData, builtin
from borderlink.store.tables import declarations, goods_items
from tests.factories import good


def run(rows: list[dict[str, str]], refdata: RefData | None = None):  # type: ignore[no-untyped-def]
    raw = pl.DataFrame(
        [{"_record_no": i, **row} for i, row in enumerate(rows, start=1)],
        schema={"_record_no": pl.Int64} | {c: pl.String for c in INPUT},
    )
    mapping, refdata = load_mapping("borderlink"), refdata or builtin()
    return prepare(raw, mapping, refdata, today=dt.date(2025, 1, 1))


@pytest.mark.parametrize(
    ("change", "field", "reason"),
    [
        ({"hs_code": "999998"}, "hs_code", "unknown_hs_code"),
        ({"hs_code": "85171"}, "hs_code", "malformed_hs_code"),
        ({"origin_country": "QQ"}, "origin_country", "unknown_country"),
        ({"currency": "XYZ"}, "currency", "unknown_currency"),
        ({"net_mass_kg": "12,5kg"}, "net_mass_kg", "not_a_number"),
        ({"net_mass_kg": "-1"}, "net_mass_kg", "negative_value"),
        ({"value": "nan"}, "value", "not_a_number"),
        ({"declared_on": "2024-13-45"}, "declared_on", "malformed_date"),
        ({"declaration_id": ""}, "declaration_id", "missing_required"),
        ({"item_no": "1.5"}, "item_no", "not_an_integer"),
        ({"illicit": "maybe"}, "illicit", "not_a_boolean"),
        ({"declaration_id": "D" * 65}, "declaration_id", "too_long"),
        ({"exporter_id": "caf\ufffd"}, "exporter_id", "invalid_encoding"),
        ({"currency": "", "value": "5"}, "currency", "missing_currency"),
        ({"hs_edition": "HS1988"}, "hs_edition", "unknown_hs_edition"),
        ({"hs_code": "851713001"}, "hs_code", "malformed_hs_code"),  # 9 digits: never valid
        ({"severity": "-1"}, "severity", "out_of_range"),  # 0-9, as the API says
        ({"importer_name": "ACME\u200b Trading"}, "importer_name", "invalid_character"),
        ({"importer_id": "IMP\x001"}, "importer_id", "invalid_character"),
        ({"office_id": "OF\n1"}, "office_id", "invalid_character"),
    ],
)
def test_each_error_rejects_the_record_naming_field_and_reason(
    change: dict[str, str], field: str, reason: str
) -> None:
    prepared = run(
        [
            good(),
            good(declaration_id="D2", **change)
            if "declaration_id" not in change
            else good(**change),
        ]
    )
    assert prepared.accepted.height == 1
    [reject] = prepared.rejects
    assert reject.record_no == 2
    assert (field, reason) in {(i.field, i.reason) for i in reject.issues}
    assert prepared.errors[reason] == 1


def test_a_record_with_several_errors_keeps_them_all() -> None:
    prepared = run([good(origin_country="QQ", currency="XYZ", net_mass_kg="-3")])
    reasons = {issue.reason for issue in prepared.rejects[0].issues}
    assert reasons == {"unknown_country", "unknown_currency", "negative_value"}


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"net_mass_kg": "0"}, "zero_mass"),
        ({"value": "0"}, "zero_value"),
        ({"origin_country": "ZZ"}, "country_not_stated"),
        ({"quantity_unit": "BAGS"}, "unknown_unit"),
        ({"declared_on": "2031-01-01"}, "date_in_future"),
        ({"loading_location": "ROTTERDAM"}, "malformed_location"),
    ],
)
def test_warnings_keep_the_record_and_flag_it(change: dict[str, str], reason: str) -> None:
    prepared = run([good(**change)])
    assert not prepared.rejects
    assert prepared.warnings[reason] == 1
    assert reason in prepared.accepted["flags"][0].split(",")


def test_values_are_typed_and_codes_normalised() -> None:
    row = run([good(origin_country="chn", hs_code="8517.13", currency="usd")]).accepted.row(
        0, named=True
    )
    assert row["origin_country"] == "CN"
    assert row["hs_code"] == "851713"
    assert row["currency"] == "USD"
    assert row["net_mass_kg"] == 12.5
    assert row["declared_on"] == dt.date(2024, 3, 1)
    assert row["illicit"] is False
    assert row["value_reporting"] == 1000.0  # USD is the reporting currency


def test_older_edition_code_is_accepted_flagged_and_mapped() -> None:
    base = builtin()
    refdata = RefData(
        hs={**base.hs, "HS2017": frozenset({"851712", "100001"})},
        correlations={("HS2017", "HS2022"): {"851712": "851713"}},
        countries=base.countries,
        currencies=base.currencies,
    )
    prepared = run([good(hs_code="851712"), good(declaration_id="D2", hs_code="100001")], refdata)
    assert not prepared.rejects
    rows = prepared.accepted.rows_by_key("declaration_id", named=True, unique=True)
    assert rows["D1"]["hs_code"] == "851712"
    assert rows["D1"]["hs_code_current"] == "851713"
    assert "hs_older_edition" in rows["D1"]["flags"]
    # No correlation and no such code in HS 2022: kept, flagged, left unmapped.
    assert rows["D2"]["hs_code_current"] is None
    assert "hs_no_correlation" in rows["D2"]["flags"]
    assert prepared.warnings["hs_older_edition"] == 2


def test_value_is_converted_at_the_rate_in_force_on_the_date() -> None:
    base = builtin()
    refdata = RefData(
        hs=base.hs,
        countries=base.countries,
        currencies=base.currencies,
        rates={"EUR": ((dt.date(2024, 1, 1), 1.10), (dt.date(2024, 3, 1), 1.20))},
    )
    prepared = run(
        [
            good(currency="EUR", declared_on="2024-02-15"),
            good(declaration_id="D2", currency="EUR", declared_on="2024-03-01"),
            good(declaration_id="D3", currency="CNY"),
        ],
        refdata,
    )
    values = dict(prepared.accepted.select("declaration_id", "value_reporting").iter_rows())
    assert values == {"D1": pytest.approx(1100.0), "D2": pytest.approx(1200.0), "D3": None}
    assert prepared.warnings["no_exchange_rate"] == 1


def test_repeated_key_in_a_file_is_a_duplicate_or_a_conflict() -> None:
    prepared = run([good(), good(), good(value="999")])
    assert prepared.accepted.height == 1
    assert prepared.duplicates == 1
    [conflict] = prepared.rejects
    assert conflict.record_no == 3
    assert conflict.issues[0].reason == "conflicting_duplicate"
    assert prepared.accepted.height + prepared.duplicates + len(prepared.rejects) == prepared.rows


def test_kosovo_is_a_country_and_alpha_3_is_converted_to_it() -> None:
    prepared = run([good(origin_country="XK"), good(declaration_id="D2", origin_country="XKX")])
    assert not prepared.rejects
    assert prepared.accepted["origin_country"].to_list() == ["XK", "XK"]


def test_text_is_stored_in_nfc_form() -> None:
    prepared = run([good(importer_name="Cafe\u0301 SA", description="line one\nline two")])
    assert not prepared.rejects
    row = prepared.accepted.row(0, named=True)
    assert row["importer_name"] == "Caf\u00e9 SA"
    assert row["description"] == "line one\nline two"  # free text keeps its line breaks


def test_the_row_hash_is_what_it_always_was() -> None:
    # Stored rows carry it: a changed hash would turn every re-sent duplicate into a conflict.
    row = run([good(importer_name="Café", severity="3", aeo="yes")]).accepted.row(0, named=True)
    assert row["row_hash"] == "60552209e8c29fd77ca89d82fcda1259"


def test_lengths_default_to_the_schema_and_limits_handed_in_win() -> None:
    raw = pl.DataFrame(
        [{"_record_no": 1, **good(declaration_id="D" * 65)}],
        schema={"_record_no": pl.Int64} | {c: pl.String for c in INPUT},
    )
    mapping, today = load_mapping("borderlink"), dt.date(2025, 1, 1)
    by_schema = prepare(raw, mapping, builtin(), today=today)
    wider = prepare(raw, mapping, builtin(), today=today, limits={"declaration_id": 100})
    assert [issue.reason for issue in by_schema.rejects[0].issues] == ["too_long"]
    assert wider.accepted.height == 1


def test_the_store_widths_are_the_schemas_lengths() -> None:
    # Ingest checks the schema's lengths: a value it accepts fits the store's columns.
    widths = {
        column.name: getattr(column.type, "length", None)
        for table in (declarations, goods_items)
        for column in table.columns
        if getattr(column.type, "length", None) and column.name in INPUT
    }
    lengths = max_lengths()
    assert widths == {name: lengths[name] for name in widths}


def test_identifiers_are_trimmed_so_padding_makes_no_second_trader() -> None:
    prepared = run([good(declaration_id=" D1 ", importer_id="IMP1  ", declaration_type="im ")])
    row = prepared.accepted.row(0, named=True)
    assert (row["declaration_id"], row["importer_id"], row["declaration_type"]) == (
        "D1",
        "IMP1",
        "IM",
    )
