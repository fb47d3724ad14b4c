"""Value types in one registry: each cleans and judges one value and a whole Polars column alike.

Offers :data:`registry` (``registry.country``, ``registry.get("hs_code")``, iteration), the
base :class:`ValueType` and :class:`Check`, and the types: text, identifier, code, HS code and
edition, country (ISO 3166, ``XK``), currency (ISO 4217), UN/LOCODE, unit (UN/ECE Rec. 20),
EORI, TIN, container number (ISO 6346), date, number, money, integer, boolean.

    >>> registry.hs_code.clean("8517.13")
    '851713'
    >>> registry.country.check("QQ")
    Check(value=None, reason='unknown_country')
"""

from __future__ import annotations

from collections.abc import Iterator

from borderlink.model.types._base import Check, ValueType
from borderlink.model.types.container import ContainerType
from borderlink.model.types.country import CountryType
from borderlink.model.types.currency import CurrencyType
from borderlink.model.types.date import DateType, IsoDate
from borderlink.model.types.hs import HsCodeType, HsEditionType
from borderlink.model.types.locode import LocodeType
from borderlink.model.types.number import BooleanType, IntegerType, MoneyType, NumberType
from borderlink.model.types.text import CodeType, IdentifierType, TextType
from borderlink.model.types.trader import EoriType, TinType
from borderlink.model.types.unit import UnitType


class Registry:
    """Every value type, by attribute and by name."""

    text = TextType()
    identifier = IdentifierType()
    code = CodeType()
    hs_code = HsCodeType()
    hs_edition = HsEditionType()
    country = CountryType()
    currency = CurrencyType()
    locode = LocodeType()
    unit = UnitType()
    eori = EoriType()
    tin = TinType()
    container = ContainerType()
    date = DateType()
    number = NumberType()
    money = MoneyType()
    integer = IntegerType()
    boolean = BooleanType()

    def __init__(self) -> None:
        found = (v for v in vars(type(self)).values() if isinstance(v, ValueType))
        self._by_name: dict[str, ValueType] = {t.name: t for t in found}

    def get(self, name: str) -> ValueType:
        try:
            return self._by_name[name]
        except KeyError:
            raise KeyError(f"no value type {name!r}; one of: {', '.join(self.names)}") from None

    @property
    def names(self) -> list[str]:
        return sorted(self._by_name)

    def __iter__(self) -> Iterator[ValueType]:
        return iter(self._by_name.values())

    def __contains__(self, name: object) -> bool:
        return name in self._by_name


registry = Registry()

__all__ = [
    "BooleanType",
    "Check",
    "CodeType",
    "ContainerType",
    "CountryType",
    "CurrencyType",
    "DateType",
    "EoriType",
    "HsCodeType",
    "HsEditionType",
    "IdentifierType",
    "IntegerType",
    "IsoDate",
    "LocodeType",
    "MoneyType",
    "NumberType",
    "Registry",
    "TextType",
    "TinType",
    "UnitType",
    "ValueType",
    "registry",
]
