"""Screening: parties against watchlists (the ``screen`` step of the path).

Pure functions over plain data, no I/O: :func:`normalise` makes a name comparable (any script
to ASCII, legal forms set aside, ``SURNAME, Given`` reordered, titles dropped),
:func:`clean_identifier` makes IMO, EORI and tax ids exact keys, :func:`similarity` scores two
names 0-1 and says how, :func:`build_index` blocks candidates so a party meets only the entries
that share a key with it, and :func:`screen` returns the explained :class:`Hit` s. The readers
of list formats (OFAC's legacy CSV, FollowTheMoney JSON, a CSV with a column mapping) are in
:mod:`.readers`; :mod:`.pairs` scores labelled name pairs.
"""

from borderlink.screening.entries import Entry, Hit, Party, compatible
from borderlink.screening.identifiers import Identifier, clean_identifier, identifiers_in
from borderlink.screening.index import Index, build_index, candidates, screen
from borderlink.screening.normalise import Name, normalise
from borderlink.screening.similarity import THRESHOLD, Similarity, similarity

__all__ = [
    "THRESHOLD",
    "Entry",
    "Hit",
    "Identifier",
    "Index",
    "Name",
    "Party",
    "Similarity",
    "build_index",
    "candidates",
    "clean_identifier",
    "compatible",
    "identifiers_in",
    "normalise",
    "screen",
    "similarity",
]
