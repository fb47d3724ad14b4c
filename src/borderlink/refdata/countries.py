"""ISO 3166-1 countries and ISO 4217 currencies, as ``pycountry`` ships them.

Countries are the ones the country value type knows (``model.registry.country``): ISO 3166-1
and the codes in customs use beside it (``XK``, Kosovo), so a code ingest accepts can be looked
up here too.
"""

from __future__ import annotations

from dataclasses import dataclass

import pycountry

from borderlink.errors import NotFound
from borderlink.model.types.country import EXTRA


@dataclass(frozen=True)
class Country:
    alpha_2: str
    alpha_3: str
    numeric: str | None  # None for a code ISO 3166 has not assigned (XK)
    name: str
    official_name: str | None
    common_name: str | None


@dataclass(frozen=True)
class Currency:
    alpha_3: str
    numeric: str | None
    name: str


def country(code: str) -> Country:
    """Look a country up by its alpha-2, alpha-3 or numeric code (any case)."""
    cleaned = code.strip().upper()
    for alpha_2, (alpha_3, name) in EXTRA.items():
        if cleaned in (alpha_2, alpha_3):
            return Country(alpha_2, alpha_3, None, name, None, None)
    found = None
    if cleaned.isdigit():
        found = pycountry.countries.get(numeric=cleaned.zfill(3))
    elif len(cleaned) == 2:
        found = pycountry.countries.get(alpha_2=cleaned)
    elif len(cleaned) == 3:
        found = pycountry.countries.get(alpha_3=cleaned)
    if found is None:
        raise NotFound(f"{code!r} is not an ISO 3166-1 country code", field="country")
    return Country(
        alpha_2=found.alpha_2,
        alpha_3=found.alpha_3,
        numeric=found.numeric,
        name=found.name,
        official_name=getattr(found, "official_name", None),
        common_name=getattr(found, "common_name", None),
    )


def currency(code: str) -> Currency:
    """Look a currency up by its alpha-3 or numeric code (any case)."""
    cleaned = code.strip()
    found = None
    if cleaned.isdigit():
        found = pycountry.currencies.get(numeric=cleaned.zfill(3))
    elif cleaned:
        found = pycountry.currencies.get(alpha_3=cleaned)
    if found is None:
        raise NotFound(f"{code!r} is not an ISO 4217 currency code", field="currency")
    return Currency(alpha_3=found.alpha_3, numeric=getattr(found, "numeric", None), name=found.name)
