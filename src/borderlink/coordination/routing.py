"""Routing: declarations' goods items in, one referral decision per (declaration, agency) out.

Pure functions over Polars frames, no database: :func:`route` evaluates every active rule at
once over the item-level frame (the same vectorised evaluation as risk profiles, see
:func:`borderlink.risk.condition_hits`), and a declaration goes to an agency when any of its
items matches any of that agency's rules. Like the risk steps, it runs unchanged per partition.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np
import polars as pl

from borderlink.coordination.rules import AgencyRule
from borderlink.risk import condition_hits
from borderlink.risk.expressions import Compiled, compile_expression
from borderlink.risk.features import prepare

DECISION_SCHEMA: Mapping[str, pl.DataType] = MappingProxyType(
    {
        "declaration_id": pl.Utf8(),
        "agency": pl.Utf8(),
        "rules": pl.List(pl.Utf8()),
        "reasons": pl.List(pl.Utf8()),
    }
)


@dataclass(frozen=True)
class CompiledRule:
    rule: AgencyRule
    condition: Compiled


def compile_rules(rules: Iterable[AgencyRule]) -> list[CompiledRule]:
    """The active rules, compiled (inactive ones never route)."""
    return [CompiledRule(r, compile_expression(r.condition)) for r in rules if r.active]


def empty_decisions() -> pl.DataFrame:
    return pl.DataFrame(schema=DECISION_SCHEMA)


def route(frame: pl.DataFrame, compiled: Sequence[CompiledRule]) -> pl.DataFrame:
    """One row per (declaration, agency) to refer: the rules that matched and their reasons.

    ``frame`` is the canonical item-level frame (as ingested or read from the store; extra
    columns such as ``model_score`` are fields the conditions may read). Rule names come
    sorted, each with its reason at the same position; rows are sorted by declaration, agency.
    """
    if not compiled or frame.height == 0:
        return empty_decisions()
    prepared = frame if "hs6" in frame.columns else prepare(frame)
    hits = condition_hits(prepared, [c.condition for c in compiled])
    rows, cols = np.nonzero(hits)
    if rows.size == 0:
        return empty_decisions()
    rules = pl.DataFrame(
        {
            "_rule": list(range(len(compiled))),
            "agency": [c.rule.agency for c in compiled],
            "name": [c.rule.name for c in compiled],
            "reason": [c.rule.reason for c in compiled],
        },
        schema={"_rule": pl.Int64, "agency": pl.Utf8, "name": pl.Utf8, "reason": pl.Utf8},
    )
    matched = pl.DataFrame(
        {
            "declaration_id": prepared["declaration_id"].cast(pl.Utf8).gather(rows),
            "_rule": cols.astype(np.int64),
        }
    )
    return (
        matched.unique()
        .join(rules, on="_rule")
        .sort("declaration_id", "agency", "name")
        .group_by("declaration_id", "agency", maintain_order=True)
        .agg(pl.col("name").alias("rules"), pl.col("reason").alias("reasons"))
        .cast(DECISION_SCHEMA)  # type: ignore[arg-type]
    )
