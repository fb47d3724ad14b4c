"""Currencies: ISO 4217 alphabetic codes."""

from __future__ import annotations

import pytest

from borderlink.model import registry


@pytest.mark.parametrize(("value", "clean"), [("USD", "USD"), ("eur", "EUR"), ("Krw", "KRW")])
def test_iso_4217_codes(value: str, clean: str) -> None:
    assert registry.currency.clean(value) == clean


@pytest.mark.parametrize("value", ["XYZ", "US", "DOLLAR", "840"])
def test_other_codes_are_refused(value: str) -> None:
    assert registry.currency.check(value) == (None, "unknown_currency")
