"""ISO 6346 freight container numbers: owner code, category, serial number and check digit.

``CSQU3054383``: owner ``CSQ``, category ``U`` (``J`` detachable equipment, ``Z`` trailer),
serial ``305438``, check digit ``3``. The check digit is the sum of each character's value
times 2 to its position, modulo 11 (10 counts as 0); letters are worth 10 upwards, skipping the
multiples of 11.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from types import MappingProxyType

import polars as pl

from borderlink.model.types._base import ValueType

CONTAINER_SHAPE = r"^[A-Z]{3}[UJZ]\d{7}$"


def _letter_values() -> dict[str, int]:
    values: dict[str, int] = {}
    value = 10
    for letter in string.ascii_uppercase:
        if value % 11 == 0:
            value += 1
        values[letter] = value
        value += 1
    return values


CHARACTER_VALUES: Mapping[str, int] = MappingProxyType(
    _letter_values() | {str(d): d for d in range(10)}
)


def check_digit(first_ten: str) -> int:
    """The ISO 6346 check digit of an owner code, category and serial (plain Python)."""
    total = sum(CHARACTER_VALUES[c] << i for i, c in enumerate(first_ten))
    return total % 11 % 10


class ContainerType(ValueType):
    name = "container"
    description = "Container number (ISO 6346): owner code, category U/J/Z, 6 digits, check digit"
    reason = "malformed_container"
    message = "not an ISO 6346 container number (or a wrong check digit): {value!r}"
    coded = True
    pattern = CONTAINER_SHAPE
    example = "CSQU3054383"

    def normalise(self, text: pl.Expr) -> pl.Expr:
        return text.str.to_uppercase().str.replace_all(r"[\s\-/]", "")

    def accepts(self, normalised: pl.Expr) -> pl.Expr:
        weighted = [
            normalised.str.slice(i, 1).replace_strict(
                dict(CHARACTER_VALUES), default=0, return_dtype=pl.Int64
            )
            * (1 << i)
            for i in range(10)
        ]
        expected = pl.sum_horizontal(weighted) % 11 % 10
        given = normalised.str.slice(10, 1).cast(pl.Int64, strict=False)
        return normalised.str.contains(CONTAINER_SHAPE) & (expected == given)
