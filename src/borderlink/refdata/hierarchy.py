"""The HS tree within one edition: a code's ancestors and descendants.

Pure functions over a nomenclature frame (``code``, ``parent`` columns, as :func:`parse_hs`
returns) or over a plain ``{code: parent}`` mapping.
"""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl

Parents = Mapping[str, str | None]


def parent_map(nomenclature: pl.DataFrame | Parents) -> dict[str, str | None]:
    """``{code: parent}`` (``None`` for chapters) of a nomenclature frame or mapping."""
    if isinstance(nomenclature, pl.DataFrame):
        return dict(
            zip(nomenclature["code"].to_list(), nomenclature["parent"].to_list(), strict=True)
        )
    return dict(nomenclature)


def children_map(nomenclature: pl.DataFrame | Parents) -> dict[str, list[str]]:
    """``{code: [child, ...]}``, children in code order; leaves are absent."""
    children: dict[str, list[str]] = {}
    for code, parent in parent_map(nomenclature).items():
        if parent is not None:
            children.setdefault(parent, []).append(code)
    for codes in children.values():
        codes.sort()
    return children


def ancestors(code: str, nomenclature: pl.DataFrame | Parents) -> list[str]:
    """The codes above ``code``, the chapter first, its parent last; ``[]`` for a chapter or a
    code not in the nomenclature."""
    parents = parent_map(nomenclature)
    chain: list[str] = []
    seen = {code}
    parent = parents.get(code)
    while parent is not None and parent not in seen:  # a cycle in a bad file must not hang us
        chain.append(parent)
        seen.add(parent)
        parent = parents.get(parent)
    chain.reverse()
    return chain


def descendants(code: str, nomenclature: pl.DataFrame | Parents) -> list[str]:
    """Every code below ``code`` (children, their children, ...), depth first in code order."""
    children = children_map(nomenclature)
    found: list[str] = []
    seen = {code}
    stack = list(reversed(children.get(code, [])))
    while stack:
        current = stack.pop()
        if current in seen:
            continue
        seen.add(current)
        found.append(current)
        stack.extend(reversed(children.get(current, [])))
    return found
