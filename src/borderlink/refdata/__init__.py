"""Reference data: HS nomenclature (editions, correlations), countries, currencies, units,
locations; lookups and validation.

Offers :class:`RefData` (the snapshot a validator uses) and :func:`builtin` (what ships with the
packages: HS 2022, ISO 3166, ISO 4217).
"""

from borderlink.refdata.snapshot import BUILTIN_HS_EDITION, RefData, builtin
from borderlink.refdata.units import UNIT_NAMES, UNITS

__all__ = ["BUILTIN_HS_EDITION", "UNITS", "UNIT_NAMES", "RefData", "builtin"]
