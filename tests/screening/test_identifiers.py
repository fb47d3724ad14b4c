"""Identifiers are exact keys, and a wrong one is no key."""

from __future__ import annotations

from borderlink.screening import Identifier, clean_identifier, identifiers_in


def test_imo_spellings_are_one_key() -> None:
    keys = {clean_identifier("imo", s) for s in ("IMO 9187629", "imo9187629", "9187629")}
    assert keys == {Identifier("imo", "9187629")}


def test_an_imo_number_with_a_wrong_check_digit_is_not_one() -> None:
    assert clean_identifier("imo", "9187628") is None


def test_eori_and_tin() -> None:
    assert clean_identifier("eori", "de 1234-5678") == Identifier("eori", "DE12345678")
    assert clean_identifier("eori", "12345") is None
    assert clean_identifier("tin", " 7724417440 ") == Identifier("tin", "7724417440")


def test_imo_numbers_in_remarks() -> None:
    text = "Vessel Registration Identification IMO 7406784; MMSI 1; IMO 1234568."
    assert identifiers_in(text) == [Identifier("imo", "7406784")]
