"""Trader identifiers: EORI and TIN."""

from __future__ import annotations

import pytest

from borderlink.model import registry


@pytest.mark.parametrize(
    ("value", "clean"), [("DE123456789012345", "DE123456789012345"), ("de 1234", "DE1234"),
                         ("XI123456789000", "XI123456789000"), ("GB987654312000", "GB987654312000")]
)  # fmt: skip
def test_eori_country_and_up_to_15_characters(value: str, clean: str) -> None:
    assert registry.eori.clean(value) == clean


@pytest.mark.parametrize("value", ["QQ12345", "DE", "DE1234567890123456", "D1234", "DE12-34"])
def test_eori_refused(value: str) -> None:
    assert registry.eori.check(value) == (None, "malformed_eori")


def test_tin_drops_separators_and_allows_17_characters() -> None:
    assert registry.tin.clean("12-345.678/9") == "123456789"
    assert registry.tin.validate("A" * 17)
    assert registry.tin.check("A" * 18) == (None, "malformed_tin")
    assert registry.tin.check("12#4") == (None, "malformed_tin")
