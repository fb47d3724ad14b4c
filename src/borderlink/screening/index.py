"""Candidate blocking: a party is compared only with the entries that share a key with it.

A name's keys are its words, the first and last four letters of its longer words (a typo
rarely hits both ends) and its acronym. Keys shared by very many names (``trading``,
``international``) are skipped while rarer ones exist: they would bring every company. The
candidates sharing most keys are scored in full (:func:`.similarity.similarity`); an identifier
(IMO, EORI, tax id) is looked up exactly and decides alone.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np
import numpy.typing as npt
from rapidfuzz import fuzz

from borderlink.screening.entries import Entry, Hit, Party, compatible
from borderlink.screening.normalise import Name, normalise
from borderlink.screening.similarity import THRESHOLD, similarity

MAX_POSTING = 600  # a key on more names than this is too common to block on
MAX_COUNTED = 1_500  # postings counted per party name, rarest keys first
MAX_CANDIDATES = 40  # names scored in full per party name
PREFILTER = 55  # a candidate whose sorted words are further than this (0-100) is not scored
_LINKING = frozenset({"de", "del", "la", "of", "the", "and", "y", "et", "for", "al", "el"})


def name_keys(name: Name) -> set[str]:
    keys: set[str] = set()
    for token in name.core:
        if len(token) < 2:
            continue
        keys.add(token)
        if len(token) >= 5:
            keys.add(f"<{token[:4]}")
            keys.add(f">{token[-4:]}")
    if len(name.core) == 1:
        keys.add(f"#{name.core[0]}")
    elif len(name.core) > 1:
        keys.add("#" + "".join(t[0] for t in name.core if t not in _LINKING))
    return keys


@dataclass(frozen=True)
class Index:
    """The names of a watchlist, normalised once, with their keys' postings."""

    entries: tuple[Entry, ...]
    names: tuple[Name, ...]
    owner: tuple[int, ...]  # name position -> entry position
    postings: Mapping[str, npt.NDArray[np.int32]]
    by_identifier: Mapping[str, tuple[int, ...]]  # identifier key -> entry positions

    def __len__(self) -> int:
        return len(self.entries)


def build_index(entries: Iterable[Entry]) -> Index:
    kept = tuple(entries)
    names: list[Name] = []
    owner: list[int] = []
    postings: dict[str, list[int]] = {}
    by_identifier: dict[str, list[int]] = {}
    for position, entry in enumerate(kept):
        for identifier in entry.identifiers:
            by_identifier.setdefault(identifier.key, []).append(position)
        for raw in dict.fromkeys(entry.names):
            name = normalise(raw, entry.schema)
            if not name.core:
                continue
            for key in name_keys(name):
                postings.setdefault(key, []).append(len(names))
            names.append(name)
            owner.append(position)
    return Index(
        kept,
        tuple(names),
        tuple(owner),
        MappingProxyType({k: np.array(v, dtype=np.int32) for k, v in postings.items()}),
        MappingProxyType({k: tuple(v) for k, v in by_identifier.items()}),
    )


def candidates(index: Index, name: Name, limit: int = MAX_CANDIDATES) -> list[int]:
    """Positions of the names sharing most keys with ``name`` (ties: the earlier name): rarest
    keys first, up to :data:`MAX_COUNTED` postings (a common key only when no rare one is
    shared). Counted with numpy: this is the hot loop of a screening run."""
    lists = sorted(
        (p for k in name_keys(name) if (p := index.postings.get(k)) is not None), key=len
    )
    rare = [p for p in lists if len(p) <= MAX_POSTING] or lists[:1]
    chosen: list[npt.NDArray[np.int32]] = []
    counted = 0
    for posting in rare:
        if counted and counted + len(posting) > MAX_COUNTED:
            break
        chosen.append(posting)
        counted += len(posting)
    if not chosen:
        return []
    positions, counts = np.unique(np.concatenate(chosen), return_counts=True)
    if len(positions) > limit:
        top = np.argpartition(-counts, limit - 1)[:limit]
        positions, counts = positions[top], counts[top]
    order = np.lexsort((positions, -counts))
    return [int(p) for p in positions[order]]


def _worth_scoring(name: Name, other: Name) -> bool:
    """A cheap first look (one C call): close enough in sorted words, or shaped for the
    comparisons that the edit distance does not see (an acronym, initials)."""
    if fuzz.ratio(name.sorted_text, other.sorted_text, score_cutoff=PREFILTER):
        return True
    return len(name.core) == 1 or len(other.core) == 1 or min(map(len, name.core)) == 1


def _identifier_hits(index: Index, party: Party) -> dict[int, Hit]:
    found: dict[int, Hit] = {}
    for identifier in party.identifiers:
        for position in index.by_identifier.get(identifier.key, ()):
            entry = index.entries[position]
            found.setdefault(
                position,
                Hit(
                    party.party_id,
                    entry.list_name,
                    entry.entry_id,
                    1.0,
                    f"identifier:{identifier.kind}",
                    party_name=party.name,
                    matched_name=entry.names[0] if entry.names else None,
                    identifier=identifier.key,
                ),
            )
    return found


def _name_hit(
    index: Index, party: Party, name: Name, position: int, score: float, method: str
) -> Hit:
    entry_position = index.owner[position]
    entry = index.entries[entry_position]
    matched = index.names[position]
    countries = tuple(sorted(set(party.countries) & set(entry.countries)))
    return Hit(
        party.party_id,
        entry.list_name,
        entry.entry_id,
        round(score, 4),
        method,
        party_name=party.name,
        matched_name=matched.original,
        alias=matched.original != entry.names[0],
        normalised=(name.text, matched.text),
        steps=tuple(dict.fromkeys(name.steps + matched.steps)),
        countries=countries,
    )


def screen(index: Index, party: Party, threshold: float = THRESHOLD) -> list[Hit]:
    """The entries ``party`` matches, best first: by identifier (decisive) or by name at or
    above ``threshold`` (one hit per entry: its best-matching name)."""
    hits = _identifier_hits(index, party)
    if party.name:
        name = normalise(party.name, party.schema)
        fits: dict[str | None, bool] = {}  # entry schema -> compatible with this party's
        for position in candidates(index, name):
            entry_position = index.owner[position]
            entry = index.entries[entry_position]
            decided = entry_position in hits and hits[entry_position].identifier is not None
            fit = fits.get(entry.schema)
            if fit is None:
                fit = fits[entry.schema] = compatible(party.schema, entry.schema)
            if decided or not fit:
                continue
            if not _worth_scoring(name, index.names[position]):
                continue
            found = similarity(name, index.names[position])
            if found.score < threshold:
                continue
            earlier = hits.get(entry_position)
            if earlier is None or earlier.score < found.score:
                hits[entry_position] = _name_hit(
                    index, party, name, position, found.score, found.method
                )
    return sorted(hits.values(), key=lambda h: (-h.score, h.list_name, h.entry_id))
