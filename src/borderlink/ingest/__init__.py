"""Ingest: readers (CSV, our ``wco-json``), column mappings as data, vectorised validation.

Rejected rows are kept with their reasons, never dropped. Offers :func:`prepare_file` (stream a
file as validated chunks), :func:`read_accepted` (the clean rows as one frame),
:func:`load_mapping`, :class:`ColumnMapping`, :class:`Prepared`, :class:`Reject`.
"""

from borderlink.ingest.mapping import ColumnMapping, builtin_names, load_mapping
from borderlink.ingest.pipeline import Prepared, Reject, prepare, prepare_file, read_accepted
from borderlink.ingest.readers import FORMATS

__all__ = [
    "FORMATS",
    "ColumnMapping",
    "Prepared",
    "Reject",
    "builtin_names",
    "load_mapping",
    "prepare",
    "prepare_file",
    "read_accepted",
]
