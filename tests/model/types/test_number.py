"""Numbers, money, whole numbers and yes/no."""

from __future__ import annotations

import polars as pl
import pytest

from borderlink.model import registry


@pytest.mark.parametrize(("value", "clean"), [("12.5", "12.5"), ("1000", "1000.0"), (3, "3.0")])
def test_numbers(value: object, clean: str) -> None:
    assert registry.number.clean(value) == clean
    assert registry.money.clean(value) == clean


@pytest.mark.parametrize("value", ["12,5", "12.5kg", "nan", "inf", "-inf", "ten"])
def test_not_numbers(value: str) -> None:
    assert registry.number.check(value) == (None, "not_a_number")


def test_whole_numbers() -> None:
    assert registry.integer.clean("1.0") == "1"
    assert registry.integer.check("1.5") == (None, "not_an_integer")
    typed = pl.DataFrame({"n": ["7"]}).select(registry.integer.typed(pl.col("n")))
    assert typed.dtypes == [pl.Int64]


@pytest.mark.parametrize(
    ("value", "clean"), [("yes", "true"), ("Y", "true"), ("1", "true"), (True, "true"),
                         ("no", "false"), ("F", "false"), ("0", "false")]
)  # fmt: skip
def test_booleans(value: object, clean: str) -> None:
    assert registry.boolean.clean(value) == clean


def test_not_booleans() -> None:
    assert registry.boolean.check("maybe") == (None, "not_a_boolean")
