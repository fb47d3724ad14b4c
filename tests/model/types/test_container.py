"""ISO 6346 container numbers: the check digit is computed, in Polars and in plain Python alike."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from borderlink.model import registry
from borderlink.model.types.container import check_digit

CONTAINER = registry.container


@pytest.mark.parametrize(
    ("value", "clean"), [("CSQU3054383", "CSQU3054383"), ("csqu 305438 3", "CSQU3054383"),
                         ("MSKU-907032-3", "MSKU9070323")]
)  # fmt: skip
def test_real_container_numbers(value: str, clean: str) -> None:
    assert CONTAINER.clean(value) == clean


@pytest.mark.parametrize("value", ["CSQU3054384", "CSQX3054383", "CSU3054383", "CSQU305438"])
def test_a_wrong_check_digit_or_shape_is_refused(value: str) -> None:
    assert CONTAINER.check(value) == (None, "malformed_container")


def test_letters_skip_multiples_of_eleven() -> None:
    assert check_digit("CSQU305438") == 3


@given(
    owner=st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=3, max_size=3),
    category=st.sampled_from("UJZ"),
    serial=st.integers(0, 999_999),
)
def test_the_column_rule_agrees_with_the_plain_one(owner: str, category: str, serial: int) -> None:
    first = f"{owner}{category}{serial:06d}"
    digit = check_digit(first)
    assert CONTAINER.validate(f"{first}{digit}")
    assert not CONTAINER.validate(f"{first}{(digit + 1) % 10}")
