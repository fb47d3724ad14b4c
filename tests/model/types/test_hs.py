"""HS codes: 6, 8 or 10 digits, everywhere; edition names."""

from __future__ import annotations

import pytest

from borderlink.model import registry

HS = registry.hs_code


@pytest.mark.parametrize(
    ("value", "clean"),
    [("851713", "851713"), ("8517.13", "851713"), ("8517 13 00", "85171300"),
     ("8517-13-00-10", "8517130010"), (851713, "851713")],
)  # fmt: skip
def test_six_eight_or_ten_digits_separators_removed(value: object, clean: str) -> None:
    assert HS.clean(value) == clean


@pytest.mark.parametrize("value", ["85171", "851713001", "85171300101", "8517AB", "ab"])
def test_other_lengths_and_letters_are_malformed(value: str) -> None:
    # 9 digits used to pass the old model and fail ingest: one rule now, and it is no.
    assert HS.check(value) == (None, "malformed_hs_code")


def test_the_raw_width_does_not_matter_the_digits_do() -> None:
    assert HS.coded


@pytest.mark.parametrize(
    ("value", "clean"), [("HS2022", "HS2022"), ("2017", "HS2017"), ("hs-2012", "HS2012"),
                         ("hs_2007", "HS2007")]
)  # fmt: skip
def test_edition_names(value: str, clean: str) -> None:
    assert registry.hs_edition.clean(value) == clean
    assert not registry.hs_edition.validate("nomenclature")
