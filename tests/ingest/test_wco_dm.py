"""The ``wco-dm-xml`` reader: WCO DM elements by local name, hardened parsing, streaming."""

from __future__ import annotations

import io
from pathlib import Path

import polars as pl
import pytest

from borderlink.demo import wco_dm as synthetic
from borderlink.ingest import reader
from borderlink.ingest.wco_dm import messages, read_wco_dm_chunks
from borderlink.ingest.wco_message import Message

SAMPLES = "wco-dm/hmrc-cds-exports"


def _frame(data: bytes) -> pl.DataFrame:
    return pl.concat(list(read_wco_dm_chunks(io.BytesIO(data), 1000)))


def _parsed(data: bytes) -> list[Message | str]:
    return list(messages(io.BytesIO(data), "test.xml"))


def test_the_reader_is_registered_under_its_format() -> None:
    assert reader("wco-dm-xml").name == "wco-dm-xml"


def test_a_generated_message_maps_every_part() -> None:
    (found,) = _parsed(synthetic.message(7, items=2).encode())
    assert isinstance(found, Message)
    assert (found.function_code, found.trader_reference, found.type_code) == (
        "9",
        "SYN-00000007",
        "EXA",
    )
    assert found.metadata["WCODataModelVersionCode"] == "3.6"
    assert found.declared_on == "2026-03-08"
    assert (found.transport_mode, found.conveyance, found.office) == ("1", "SYNVESSEL", "GB000040")
    consignee = found.party("consignee")
    assert consignee is not None
    assert (consignee.name, consignee.city, consignee.country) == (
        "Synthetic Imports Inc",
        "New York",
        "US",
    )
    exporter = found.party("exporter")
    assert exporter is not None
    assert exporter.id == "GB100000000007"
    assert found.goods_location["name"] == "DVRDOVDVR"
    assert found.containers == [{"id": "CSQU3054383", "seals": ["S1"]}]
    assert [d["type"] for d in found.documents] == ["DCR"]
    first, second = found.items
    assert (first.hs_code, first.national_code) == ("610910", "00")  # 61091000, TSP
    assert first.procedure == "1000"
    assert first.additional_procedures == ["000"]
    assert (first.value, first.currency, first.value_element) == (
        "107.50",
        "GBP",
        "CustomsValueAmount",
    )
    assert (first.net_mass_kg, first.quantity, first.quantity_unit) == ("13", "10", "NAR")
    assert second.sequence == "2"


def test_flat_rows_one_per_goods_item_with_the_hs_subheading() -> None:
    frame = _frame(synthetic.message(3, items=3).encode())
    assert frame["item_no"].to_list() == ["1", "2", "3"]
    assert frame["declaration_id"].unique().to_list() == ["SYN-00000003"]
    assert all(len(code) == 6 for code in frame["hs_code"].to_list())
    assert frame["declaration_type"].unique().to_list() == ["EX"]
    assert frame["_error"].is_null().all()
    assert (
        frame["_raw"][0]
        == "the submitted data, message 1 (SYN-00000003), GovernmentAgencyGoodsItem 1"
    )


def test_elements_are_matched_by_local_name_in_any_namespace() -> None:
    other = synthetic.message(5).replace(synthetic.NS_DEC, "urn:example:national:DEC:9")
    frame = _frame(other.encode())
    assert frame["declaration_id"][0] == "SYN-00000005"
    assert frame["hs_code"].is_not_null().all()


def test_many_messages_under_any_root_stream_in_order() -> None:
    out = io.BytesIO()
    synthetic.write_messages(out, 50, items=1)
    frame = _frame(out.getvalue())
    assert frame.height == 50
    assert frame["_record_no"].to_list() == list(range(1, 51))


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol9 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
]>
<Declaration><FunctionalReferenceID>&lol9;</FunctionalReferenceID></Declaration>"""

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE d [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<Declaration><FunctionalReferenceID>X1</FunctionalReferenceID>
<GoodsShipment><GovernmentAgencyGoodsItem><Commodity><Description>&xxe;</Description>
</Commodity></GovernmentAgencyGoodsItem></GoodsShipment></Declaration>"""


@pytest.mark.parametrize("attack", [BILLION_LAUGHS, XXE], ids=["billion-laughs", "xxe"])
def test_entities_and_dtds_are_refused_without_expansion(attack: bytes) -> None:
    frame = _frame(attack)
    assert frame.height == 1
    error = frame["_error"][0]
    assert "refused, not read" in error
    assert "DTDForbidden" in error
    text = frame.write_csv()
    assert "lollol" not in text
    assert "root:" not in text


def test_a_broken_message_keeps_the_ones_before_it() -> None:
    good = synthetic.message(1, items=1)
    data = f"<Declarations>{good}{good.replace('SYN-00000001', 'SYN-2')}<md:MetaData".encode()
    frame = _frame(data)
    assert frame["declaration_id"].to_list()[:2] == ["SYN-00000001", "SYN-2"]
    assert "not well-formed XML" in frame["_error"][2]


def test_a_message_missing_its_reference_is_an_error_naming_the_element() -> None:
    body = synthetic.message(2).replace(
        "<FunctionalReferenceID>SYN-00000002</FunctionalReferenceID>", ""
    )
    frame = _frame(body.encode())
    assert frame.height == 1
    assert "Declaration/ID and Declaration/FunctionalReferenceID" in frame["_error"][0]


def test_a_goods_item_without_a_tariff_code_is_an_error_naming_the_element() -> None:
    body = synthetic.message(4, items=1).replace("TSP", "GN")
    frame = _frame(body.encode())
    assert "GovernmentAgencyGoodsItem 1: Commodity/Classification" in frame["_error"][0]


def test_a_file_that_is_not_xml_says_what_it_looks_like() -> None:
    frame = _frame(b"declaration_id,hs_code\nD1,851713\n")
    assert "not WCO DM XML" in frame["_error"][0]


def test_a_sample_field_by_field(shared_data: Path) -> None:
    path = shared_data / SAMPLES / "TT_EX001a__TT_EX001a.xml"
    with path.open("rb") as stream:
        (found,) = list(messages(stream, path.name))
    assert isinstance(found, Message)
    assert (found.trader_reference, found.type_code, found.function_code) == (
        "U.7847323YIPYA",
        "EXD",
        "9",
    )
    assert [(p.role, p.id) for p in found.parties if p.id] == [
        ("declarant", "GB427168118378"),
        ("exporter", "GB427168118378"),
        ("carrier", "GB025115100010"),
    ]
    consignee = found.party("consignee")
    assert consignee is not None
    assert (consignee.name, consignee.street, consignee.country) == (
        "Packings Import Incorporated",
        "1 Bags Avenue",
        "US",
    )
    assert found.containers == [{"id": "CONU1234567", "seals": ["333"]}]
    assert found.goods_location["country"] == "GB"
    (item,) = found.items
    assert (item.hs_code, item.national_code) == ("460219", "10")
    assert (item.net_mass_kg, item.gross_mass_kg) == ("5", "10")
    assert (item.value, item.currency, item.procedure) == ("200", "GBP", "1040")
    assert [d["type"] for d in found.documents] == ["DCR", "MCR"]


def test_an_amendment_sample_names_its_declaration(shared_data: Path) -> None:
    path = shared_data / SAMPLES / "TT_EX010a__TT_EX010a_Cancellation.xml"
    frame = pl.concat(list(read_wco_dm_chunks(path, 100)))
    assert frame["_amends"].to_list() == ["24GBDIRIGZ7QLCPAA8"]
    assert frame["_amendment"].to_list() == ["INV"]
