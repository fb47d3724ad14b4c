"""Dates: ISO 8601 by default, a mapping's own format when it has one."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from borderlink.model import registry

DATE = registry.date


@pytest.mark.parametrize(
    ("value", "clean"), [("2024-03-01", "2024-03-01"), ("2024-03-01T10:30:00Z", "2024-03-01")]
)
def test_iso_dates_a_time_after_is_ignored(value: str, clean: str) -> None:
    assert DATE.clean(value) == clean


@pytest.mark.parametrize("value", ["2024-13-45", "01/03/2024", "yesterday"])
def test_other_text_is_malformed(value: str) -> None:
    assert DATE.check(value) == (None, "malformed_date")


def test_a_format_reads_other_layouts_and_says_so() -> None:
    dotted = DATE.with_format("%d.%m.%Y")
    assert dotted.clean("01.03.2024") == "2024-03-01"
    assert not dotted.validate("2024-03-01")
    assert "%d.%m.%Y" in dotted.explain("x")
    typed = pl.DataFrame({"d": ["01.03.2024"]}).select(dotted.typed(pl.col("d")))
    assert typed["d"].to_list() == [dt.date(2024, 3, 1)]
