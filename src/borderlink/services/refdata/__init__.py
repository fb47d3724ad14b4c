"""refdata use cases.

Re-exports :class:`RefData` (a snapshot of the loaded reference data) and :func:`builtin` (the
one shipped with the package), so the shells never import ``refdata`` itself.
"""

from borderlink.refdata import RefData, builtin

__all__ = ["RefData", "builtin"]
