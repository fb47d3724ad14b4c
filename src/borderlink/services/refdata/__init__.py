"""Reference data use cases: load HS nomenclatures and correlations, exchange rates and
UN/LOCODE locations (:mod:`.load`), and the snapshot validation reads.

Also re-exports :class:`RefData` (a snapshot of the loaded reference data) and :func:`builtin`
(the one shipped with the package), so the shells never import ``refdata`` itself.
"""

from borderlink.refdata import RefData, builtin

__all__ = ["RefData", "builtin"]
