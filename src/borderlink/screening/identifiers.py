"""Identifiers that decide a match on their own: IMO ship numbers, EORI, tax ids.

Each kind has one cleaning rule (:func:`clean_identifier`), applied alike to the list and to
the party, so ``IMO 9187629``, ``imo9187629`` and ``9187629`` are one key. A value that is not
a valid identifier of its kind (an IMO number whose check digit fails) is not a key at all:
an identifier decides a match, so a wrong one must not.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

KINDS = ("imo", "eori", "tin", "other")

_SPACES = re.compile(r"[\s.\-/]+")
_IMO = re.compile(r"^(?:IMO)?(\d{7})$")
_EORI = re.compile(r"^[A-Z]{2}[A-Z0-9]{1,15}$")


@dataclass(frozen=True, slots=True, order=True)
class Identifier:
    kind: str
    value: str

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.value}"


def imo_valid(digits: str) -> bool:
    """The IMO check digit: the first six digits weighted 7..2, summed, last digit of the sum."""
    if len(digits) != 7 or not digits.isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(digits[:6], range(7, 1, -1), strict=True))
    return total % 10 == int(digits[6])


def clean_identifier(kind: str, raw: str) -> Identifier | None:
    """``raw`` as an :class:`Identifier` of ``kind``, or None when it is not one."""
    kind = kind.strip().lower()
    value = _SPACES.sub("", raw.strip().upper())
    if not value:
        return None
    if kind == "imo":
        found = _IMO.match(value)
        return Identifier("imo", found.group(1)) if found and imo_valid(found.group(1)) else None
    if kind == "eori":
        return Identifier("eori", value) if _EORI.match(value) else None
    if kind in KINDS:
        return Identifier(kind, value)
    return Identifier("other", value)


def identifiers_in(text: str) -> list[Identifier]:
    """The IMO numbers named in free text (a list's remarks: ``... IMO 9187629; ...``)."""
    found = [
        clean_identifier("imo", m.group(1))
        for m in re.finditer(r"\bIMO[\s:]*(\d{7})\b", text, re.IGNORECASE)
    ]
    return [i for i in found if i is not None]
