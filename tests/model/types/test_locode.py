"""UN/LOCODE: the shape only; a malformed one is a warning, not a rejection."""

from __future__ import annotations

import pytest

from borderlink.model import Severity, registry

LOCODE = registry.locode


@pytest.mark.parametrize(
    ("value", "clean"), [("NLRTM", "NLRTM"), ("nl rtm", "NLRTM"), ("DE HAM", "DEHAM"),
                         ("USNY2", "USNY2")]
)  # fmt: skip
def test_country_and_three_characters(value: str, clean: str) -> None:
    assert LOCODE.clean(value) == clean


@pytest.mark.parametrize("value", ["ROTTERDAM", "NLRT", "NL1TM", "12345"])
def test_other_shapes_are_malformed(value: str) -> None:
    assert LOCODE.check(value) == (None, "malformed_location")
    assert LOCODE.severity is Severity.WARNING
