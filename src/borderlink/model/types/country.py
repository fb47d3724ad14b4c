"""Countries: ISO 3166-1 alpha-2 (``pycountry``), plus the codes customs use beside it.

Alpha-3 codes are turned into alpha-2 (``CHN`` → ``CN``). ``XK`` (Kosovo) is not assigned by ISO
3166 but the EU and the WCO use it, so it is a country here and in the reference data. ``ZZ``,
``QU`` and ``XX`` are user-assigned codes declarations use for "not stated": valid, and
``not_stated`` tells them apart so ingest can flag them.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

import polars as pl
import pycountry

from borderlink.model.types._base import ValueType

# alpha-2 → (alpha-3, name) for codes in customs use that ISO 3166 has not assigned.
EXTRA: Mapping[str, tuple[str, str]] = MappingProxyType({"XK": ("XKX", "Kosovo")})
NOT_STATED: tuple[str, ...] = ("ZZ", "QU", "XX")

# Every country alpha-2 code known: ISO 3166-1 and EXTRA.
ISO_CODES: frozenset[str] = frozenset(c.alpha_2 for c in pycountry.countries) | frozenset(EXTRA)
ALPHA3_TO_ALPHA2: Mapping[str, str] = MappingProxyType(
    {c.alpha_3: c.alpha_2 for c in pycountry.countries}
    | {alpha_3: alpha_2 for alpha_2, (alpha_3, _) in EXTRA.items()}
)
_ACCEPTED: tuple[str, ...] = tuple(sorted(ISO_CODES | set(NOT_STATED)))


def iso_codes() -> frozenset[str]:
    """Every country alpha-2 code known: ISO 3166-1 and ``EXTRA`` (``XK``)."""
    return ISO_CODES


class CountryType(ValueType):
    name = "country"
    description = "Country: ISO 3166-1 alpha-2 (alpha-3 is converted), XK for Kosovo"
    reason = "unknown_country"
    message = "not an ISO 3166 country code: {value!r}"
    coded = True
    pattern = r"^[A-Z]{2}$"
    example = "CN"

    def normalise(self, text: pl.Expr) -> pl.Expr:
        return text.str.to_uppercase().replace(dict(ALPHA3_TO_ALPHA2))

    def accepts(self, normalised: pl.Expr) -> pl.Expr:
        return normalised.is_in(_ACCEPTED)

    def not_stated(self, text: pl.Expr) -> pl.Expr:
        """True where the value says "country not stated" (``ZZ``, ``QU``, ``XX``)."""
        return self.normalise(text).is_in(NOT_STATED).fill_null(False)

    @property
    def codes(self) -> frozenset[str]:
        return ISO_CODES
