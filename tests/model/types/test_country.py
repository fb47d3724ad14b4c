"""Countries: ISO 3166-1 alpha-2 (alpha-3 converted), XK for Kosovo, the 'not stated' codes."""

from __future__ import annotations

import polars as pl
import pytest

from borderlink.model import registry
from borderlink.refdata import builtin, country

COUNTRY = registry.country


@pytest.mark.parametrize(
    ("value", "clean"), [("CN", "CN"), ("cn", "CN"), ("CHN", "CN"), ("deu", "DE"), ("XK", "XK"),
                         ("XKX", "XK"), ("ZZ", "ZZ")]
)  # fmt: skip
def test_known_codes_clean_to_alpha_2(value: str, clean: str) -> None:
    assert COUNTRY.clean(value) == clean


@pytest.mark.parametrize("value", ["UK", "QQ", "C", "CHINA", "12"])
def test_unknown_codes_are_refused(value: str) -> None:
    assert COUNTRY.check(value) == (None, "unknown_country")


def test_kosovo_is_known_to_the_type_and_the_reference_data_alike() -> None:
    assert "XK" in COUNTRY.codes
    assert "XK" in builtin().countries
    assert country("XK").name == "Kosovo"


def test_not_stated_codes_are_valid_and_told_apart() -> None:
    frame = pl.DataFrame({"c": ["ZZ", "qu", "CN", None]})
    assert frame.select(COUNTRY.not_stated(pl.col("c")))["c"].to_list() == [
        True, True, False, False
    ]  # fmt: skip
    assert "ZZ" not in COUNTRY.codes  # not a country: not something to look up
