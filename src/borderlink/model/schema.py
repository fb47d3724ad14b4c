"""The building blocks of a schema declared as data: fields, groups of fields, the schema.

A :class:`Field` has a value type from the registry, a required flag, a maximum length, a range,
a description and the WCO Data Model element it carries. A :class:`Group` is a part of the
declaration (header, transport, a party, a goods item); the flat layout (one row per goods item,
the header repeated) names each field's column. Everything else — ingest's columns and dtypes,
the store's column lengths, the API's body model, the reference docs — is read off a
:class:`Schema`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from borderlink.model.types import ValueType


@dataclass(frozen=True)
class Field:
    """One field of the declaration."""

    key: str  # its name inside its group, in the nested (wco-json) form: "id", "hs_code"
    type: ValueType
    description: str
    column: str | None = None  # its column in the flat layout; None: same as ``key``
    required: bool = False
    max_length: int | None = None  # in characters, of the text as sent
    minimum: float | None = None
    maximum: float | None = None
    default: str | None = None  # what an empty value means
    wco: str | None = None  # the WCO Data Model element id
    example: str | int | float | bool | None = None
    flat: bool = True  # has a column in the flat layout (and so in the store)

    @property
    def name(self) -> str:
        """The field's column name in the flat layout."""
        return self.column or self.key

    @property
    def summary(self) -> str:
        """The description with the type's rule and the WCO DM reference, for docs and OpenAPI."""
        parts = [self.description.rstrip(".") + "."]
        parts.append(self.type.description.rstrip(".") + ".")
        if self.wco:
            parts.append(f"WCO DM {self.wco}.")
        return " ".join(parts)


@dataclass(frozen=True)
class Group:
    """A part of the declaration: one object in the nested form (or a list of them)."""

    name: str
    description: str
    fields: tuple[Field, ...]
    many: bool = False  # a list (goods items, documents) rather than one object
    level: str = "header"  # "header": once per declaration; "item": once per goods item
    party: bool = False  # a party role: nested as {"role": name, ...} in the "parties" list
    wco: str | None = None

    def __iter__(self) -> Iterator[Field]:
        return iter(self.fields)

    def get(self, key: str) -> Field:
        for f in self.fields:
            if f.key == key:
                return f
        raise KeyError(f"{self.name} has no field {key!r}")


@dataclass(frozen=True)
class Schema:
    """A document type as data: its groups, in the order the flat layout lists their columns."""

    name: str
    description: str
    groups: tuple[Group, ...]
    _by_column: dict[str, Field] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        for f in self.fields():
            if f.name in self._by_column:
                raise ValueError(f"{self.name}: column {f.name!r} is declared twice")
            self._by_column[f.name] = f

    def group(self, name: str) -> Group:
        for group in self.groups:
            if group.name == name:
                return group
        raise KeyError(f"{self.name} has no group {name!r}")

    def fields(self, *groups: str, flat: bool = True) -> Iterator[Field]:
        """The fields of the named groups (all groups when none is named), in layout order."""
        for group in self.groups:
            if groups and group.name not in groups:
                continue
            yield from (f for f in group.fields if f.flat or not flat)

    def columns(self, *groups: str) -> tuple[str, ...]:
        """The flat layout's column names for the named groups (all when none is named)."""
        return tuple(f.name for f in self.fields(*groups))

    def column(self, name: str) -> Field:
        """The field behind a flat column."""
        try:
            return self._by_column[name]
        except KeyError:
            raise KeyError(f"{self.name} has no column {name!r}") from None

    def length(self, column: str) -> int:
        """A column's maximum length, for the store's ``String(n)``; an error when it has none."""
        length = self.column(column).max_length
        if length is None:
            raise KeyError(f"{column!r} has no maximum length")
        return length

    def example(self) -> dict[str, object]:
        """One declaration in the nested form, from the fields' examples."""
        out: dict[str, object] = {}
        parties: list[dict[str, object]] = []
        for group in self.groups:
            values: dict[str, object] = {
                f.key: f.example for f in group.fields if f.example is not None
            }
            if group is self.groups[0]:
                out |= values
            elif group.party:
                parties.append({"role": group.name, **values})
            elif values:
                out[group.name] = [values] if group.many else values
        if parties:
            out["parties"] = parties
        return out
