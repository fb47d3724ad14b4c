"""Ingest: readers in a registry (CSV, our ``wco-json``), column mappings as data, vectorised
validation.

Rejected rows are kept with their reasons, never dropped. Offers :func:`prepare_file` (stream a
file as validated chunks), :func:`read_accepted` (the clean rows as one frame), the reader
registry (:class:`Reader`, :func:`registered_readers`, :func:`reader`, :func:`formats`; entry
point group ``borderlink.readers``), the mapping registry (:func:`load_mapping`,
:func:`mapping_names`, :func:`registered_mappings`; group ``borderlink.mappings``),
:class:`ColumnMapping`, :class:`Prepared`, :class:`Reject`.
"""

from borderlink.ingest.mapping import (
    ColumnMapping,
    load_mapping,
    mapping_names,
    registered_mappings,
)
from borderlink.ingest.pipeline import Prepared, Reject, prepare, prepare_file, read_accepted
from borderlink.ingest.readers import Reader, formats, reader, registered_readers

__all__ = [
    "ColumnMapping",
    "Prepared",
    "Reader",
    "Reject",
    "formats",
    "load_mapping",
    "mapping_names",
    "prepare",
    "prepare_file",
    "read_accepted",
    "reader",
    "registered_mappings",
    "registered_readers",
]
