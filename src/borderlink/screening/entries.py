"""What the matcher compares: a watchlist :class:`Entry`, a :class:`Party` to screen, and the
explained :class:`Hit` between them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from types import MappingProxyType

from borderlink.screening.identifiers import Identifier

# FollowTheMoney schemata grouped by what can be the same thing: a person never matches a
# vessel, whatever its name.
KIND_OF_SCHEMA: MappingProxyType[str, str] = MappingProxyType(
    {
        "Person": "person",
        "Company": "organisation",
        "Organization": "organisation",
        "PublicBody": "organisation",
        "LegalEntity": "legal_entity",  # a person or an organisation
        "Vessel": "vessel",
        "Airplane": "aircraft",
        "Aircraft": "aircraft",
    }
)


def compatible(party_schema: str | None, entry_schema: str | None) -> bool:
    """Whether a party of one schema may be an entry of the other (unknown: any but vehicles
    for the party; vehicles only with vehicles)."""
    party = KIND_OF_SCHEMA.get(party_schema or "", "legal_entity")
    entry = KIND_OF_SCHEMA.get(entry_schema or "", "legal_entity")
    if "legal_entity" in (party, entry):
        return {party, entry} <= {"legal_entity", "person", "organisation"}
    return party == entry


@dataclass(frozen=True, slots=True)
class Entry:
    """One watchlist entry: its names (the first is the primary one, the rest aliases)."""

    list_name: str
    entry_id: str
    names: tuple[str, ...]
    schema: str | None = None
    identifiers: tuple[Identifier, ...] = ()
    countries: tuple[str, ...] = ()
    programmes: tuple[str, ...] = ()
    reason: str | None = None
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None


@dataclass(frozen=True, slots=True)
class Rejected:
    """A record of a list file that is not an entry: which record, which field, why."""

    record: int
    field: str
    reason: str


@dataclass(frozen=True, slots=True)
class Party:
    party_id: str
    name: str | None
    schema: str | None = None
    identifiers: tuple[Identifier, ...] = ()
    countries: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Hit:
    """A party matching an entry, with what matched and how (``explain`` says it in words)."""

    party_id: str
    list_name: str
    entry_id: str
    score: float
    method: str  # exact, token_sort, joined, initials, acronym, identifier:imo, ...
    party_name: str | None = None
    matched_name: str | None = None  # the entry's name or alias that matched
    alias: bool = False
    normalised: tuple[str, str] = ("", "")  # the two names as compared
    steps: tuple[str, ...] = ()  # normalisations applied to either name
    identifier: str | None = None  # kind:value when an identifier decided
    countries: tuple[str, ...] = field(default=())  # countries both name

    def explain(self) -> str:
        if self.identifier is not None:
            return f"{self.identifier} on {self.list_name} entry {self.entry_id} (exact)"
        which = "alias" if self.alias else "name"
        how = f"{self.method}, after {', '.join(self.steps)}" if self.steps else self.method
        also = f"; country {', '.join(self.countries)} agrees" if self.countries else ""
        return (
            f"{self.party_name!r} ~ {which} {self.matched_name!r} of {self.list_name} entry "
            f"{self.entry_id}: {self.score:.2f} ({how}; compared {self.normalised[0]!r} with "
            f"{self.normalised[1]!r}){also}"
        )
