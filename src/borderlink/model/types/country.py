"""Countries: ISO 3166-1 alpha-2 (``pycountry``), plus the codes customs use beside it.

Alpha-3 codes are turned into alpha-2 (``CHN`` → ``CN``). ``XK`` (Kosovo) is not assigned by ISO
3166 but the EU and the WCO use it, so it is a country here and in the reference data. ``ZZ``,
``QU`` and ``XX`` are user-assigned codes declarations use for "not stated": valid, and
``not_stated`` tells them apart so ingest can flag them.
"""

from __future__ import annotations

from functools import cache

import polars as pl
import pycountry

from borderlink.model.types._base import ValueType

# alpha-2 → (alpha-3, name) for codes in customs use that ISO 3166 has not assigned.
EXTRA: dict[str, tuple[str, str]] = {"XK": ("XKX", "Kosovo")}
NOT_STATED: tuple[str, ...] = ("ZZ", "QU", "XX")


@cache
def iso_codes() -> frozenset[str]:
    """Every country alpha-2 code known: ISO 3166-1 and ``EXTRA``."""
    return frozenset(c.alpha_2 for c in pycountry.countries) | frozenset(EXTRA)


@cache
def alpha3_to_alpha2() -> dict[str, str]:
    codes = {c.alpha_3: c.alpha_2 for c in pycountry.countries}
    return codes | {alpha_3: alpha_2 for alpha_2, (alpha_3, _) in EXTRA.items()}


@cache
def _accepted() -> list[str]:
    return sorted(iso_codes() | set(NOT_STATED))


class CountryType(ValueType):
    name = "country"
    description = "Country: ISO 3166-1 alpha-2 (alpha-3 is converted), XK for Kosovo"
    reason = "unknown_country"
    message = "not an ISO 3166 country code: {value!r}"
    coded = True
    pattern = r"^[A-Z]{2}$"
    example = "CN"

    def normalise(self, text: pl.Expr) -> pl.Expr:
        return text.str.to_uppercase().replace(alpha3_to_alpha2())

    def accepts(self, normalised: pl.Expr) -> pl.Expr:
        return normalised.is_in(_accepted())

    def not_stated(self, text: pl.Expr) -> pl.Expr:
        """True where the value says "country not stated" (``ZZ``, ``QU``, ``XX``)."""
        return self.normalise(text).is_in(NOT_STATED).fill_null(False)

    @property
    def codes(self) -> frozenset[str]:
        return iso_codes()
