"""Blocking and screening: a party meets only the entries sharing a key, hits are explained."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from borderlink.screening import (
    Entry,
    Identifier,
    Party,
    build_index,
    candidates,
    normalise,
    screen,
)
from borderlink.screening.entries import Rejected
from borderlink.screening.readers import read_ftm, read_mapped_csv, read_ofac_csv

ENTRIES = (
    Entry("L", "1", ("AL ZAWAHIRI, Ayman",), "Person", countries=("EG",)),
    Entry("L", "2", ("BANCO NACIONAL DE CUBA", "BNC"), "Organization"),
    Entry("L", "3", ("EBANO", "SAND SWAN"), "Vessel", (Identifier("imo", "7406784"),)),
    Entry("L", "4", ("ACME TRADING LTD",), "Organization"),
)


def test_a_variant_spelling_hits_with_its_explanation() -> None:
    index = build_index(ENTRIES)
    [hit] = screen(index, Party("P1", "Aiman Al-Zawahiri", countries=("EG",)))
    assert (hit.entry_id, hit.method, hit.alias) == ("1", "joined", False)
    assert hit.score >= 0.86
    assert hit.normalised == ("aiman al zawahiri", "ayman al zawahiri")
    assert "surname_first" in hit.steps
    assert "L entry 1" in hit.explain()
    assert "country EG agrees" in hit.explain()


def test_an_alias_hits_and_says_so() -> None:
    [hit] = screen(build_index(ENTRIES), Party("P2", "B.N.C."))
    assert (hit.entry_id, hit.matched_name, hit.alias) == ("2", "BNC", True)


def test_an_identifier_decides_whatever_the_name() -> None:
    party = Party("V1", "MV Nobody", "Vessel", (Identifier("imo", "7406784"),))
    [hit] = screen(build_index(ENTRIES), party)
    assert (hit.entry_id, hit.score, hit.identifier) == ("3", 1.0, "imo:7406784")


def test_a_person_never_matches_a_vessel() -> None:
    assert screen(build_index(ENTRIES), Party("P3", "Ebano", "Person")) == []
    assert [h.entry_id for h in screen(build_index(ENTRIES), Party("V2", "EBANO", "Vessel"))] == [
        "3"
    ]


def test_unrelated_names_are_not_even_candidates() -> None:
    index = build_index(ENTRIES)
    assert candidates(index, normalise("Zhang Wei Electronics")) == []
    assert screen(index, Party("P4", "Acme Trading GmbH"))[0].method == "exact+form_differs"


def test_ofac_reader_takes_aliases_and_imo_from_the_remarks(shared_data: Path) -> None:
    path = shared_data / "watchlists" / "ofac-sdn-2024-05-03.csv"
    with path.open(encoding="utf-8", newline="") as stream:
        found = {e.entry_id: e for e in read_ofac_csv(stream) if isinstance(e, Entry)}
    assert len(found) == 14_965
    assert found["4243"].names == ("EBANO", "ANA I", "SAND SWAN")
    assert found["4243"].identifiers == (Identifier("imo", "7406784"),)
    assert found["306"].names == ("BANCO NACIONAL DE CUBA", "BNC")
    assert found["2674"].schema == "Person"


def test_a_bad_record_is_named_and_the_rest_goes_on() -> None:
    text = '1,"A",-0-\n2,-0- ,-0-\n3,"C",-0-\n'
    out = list(read_ofac_csv(io.StringIO(text)))
    assert [type(x).__name__ for x in out] == ["Entry", "Rejected", "Entry"]
    assert out[1] == Rejected(2, "sdn_name", "no name")


def test_ftm_lines_and_a_mapped_csv() -> None:
    lines = (
        '{"id": "x1", "schema": "Company", "properties": {"name": ["Acme"], "alias": ["Akme"],'
        ' "taxNumber": ["123456"], "country": ["ru"]}}\n'
        '{"id": "s1", "schema": "Sanction", "properties": {}}\n'
        "not json\n"
    )
    out = list(read_ftm(io.StringIO(lines), "OS"))
    assert isinstance(out[0], Entry)
    assert out[0].names == ("Acme", "Akme")
    assert out[0].countries == ("RU",)
    assert out[0].identifiers == (Identifier("tin", "123456"),)
    assert isinstance(out[1], Rejected)
    assert out[1].record == 3
    csv_text = "ref,full name,aka,imo\nA1,Acme Ltd,Akme;Acme Co,\nA2,,x,\n"
    mapping = {"id": "ref", "name": "full name", "aliases": "aka"}
    rows = list(read_mapped_csv(io.StringIO(csv_text), "N", mapping))
    assert isinstance(rows[0], Entry)
    assert rows[0].names == ("Acme Ltd", "Akme", "Acme Co")
    assert rows[1] == Rejected(3, "full name", "no name")


@pytest.mark.parametrize("name", ["", "   ", "---"])
def test_a_party_without_a_usable_name_has_no_hits(name: str) -> None:
    assert screen(build_index(ENTRIES), Party("P", name)) == []
