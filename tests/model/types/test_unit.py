"""Units: the UN/ECE Rec. 20 shape (the list is the reference data's)."""

from __future__ import annotations

import pytest

from borderlink.model import registry
from borderlink.refdata import UNITS


def test_every_unit_in_the_reference_list_has_the_shape() -> None:
    assert all(registry.unit.validate(code) for code in UNITS)
    assert registry.unit.clean("kgm") == "KGM"


@pytest.mark.parametrize("value", ["BAGS", "kg m", "K-G"])
def test_other_shapes_are_malformed(value: str) -> None:
    assert registry.unit.check(value) == (None, "malformed_unit")
