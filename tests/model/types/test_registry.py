"""The registry: every type by name, and one value judged exactly as its column is."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from borderlink.model import ValueType, registry

TYPES = list(registry)


def test_every_type_is_there_by_attribute_and_by_name() -> None:
    assert registry.names == sorted(
        [
            "boolean", "code", "container", "country", "currency", "date", "eori", "hs_code",
            "hs_edition", "identifier", "integer", "locode", "money", "number", "text", "tin",
            "unit",
        ]
    )  # fmt: skip
    assert registry.get("country") is registry.country
    assert "hs_code" in registry
    with pytest.raises(KeyError, match="no value type 'iban'"):
        registry.get("iban")


@pytest.mark.parametrize("kind", TYPES, ids=lambda t: t.name)
def test_every_type_describes_itself_and_accepts_its_example(kind: ValueType) -> None:
    assert kind.description
    assert kind.reason
    assert "{value" in kind.message
    if kind.example is not None:
        assert kind.validate(kind.example)
        assert kind.clean(kind.clean(kind.example)) == kind.clean(kind.example)  # idempotent


@pytest.mark.parametrize("kind", TYPES, ids=lambda t: t.name)
def test_missing_is_not_a_value(kind: ValueType) -> None:
    assert kind.check(None).reason == kind.check("").reason == "missing"
    cleaned, invalid = kind.clean_column(pl.Series("v", [None], dtype=pl.String))
    assert cleaned.to_list() == [None]
    assert invalid.to_list() == [False]


@settings(max_examples=60, deadline=None)
@given(
    values=st.lists(
        st.one_of(
            st.text(max_size=14),
            st.sampled_from(["851713", "8517.13", "CHN", "XK", "12.5", "2024-03-01", "yes"]),
        ),
        min_size=1,
        max_size=8,
    )
)
def test_one_value_and_a_column_are_judged_alike(values: list[str]) -> None:
    column = pl.Series("v", values, dtype=pl.String)
    for kind in TYPES:
        cleaned, invalid = kind.clean_column(column)
        frame_cleaned, frame_invalid = kind.clean_column(pl.col("v"))
        via_expr = pl.DataFrame({"v": column}).select(
            frame_cleaned.alias("v"), frame_invalid.alias("i")
        )
        assert via_expr["v"].to_list() == cleaned.to_list()
        for value, clean, bad in zip(values, cleaned, invalid, strict=True):
            if value == "":
                continue
            assert kind.check(value) == ((None, kind.reason) if bad else (clean, None))
