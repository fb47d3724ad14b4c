"""Which synthetic declarations were inspected, and what today's inspections will find.

The sampler gives every declaration the result an inspection *would* have: a real record has
one only where an officer looked. So the history keeps an outcome only for the declarations
inspected (targeting looks at suspicious ones more often than at the rest), and the latest
weeks, the flow still waiting at the border, keep none. What inspecting any declaration not
inspected would find is set aside in a separate frame, for the demo's officers to record once
the flow is scored.

An empty outcome means "not inspected", never "compliant".
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from borderlink.demo.sampler import OUTCOME_COLUMNS

# Share of the history's declarations that were inspected: those with a planted misdeclaration
# (or found illicit) are picked more often, as a working targeting system would.
INSPECTED_SUSPICIOUS = 0.6
INSPECTED_OTHER = 0.12


def _draw(seed: int) -> pl.Expr:
    """A uniform draw per declaration from its id alone (the same whatever the chunking)."""
    return pl.col("declaration_id").hash(seed) / float(2**64)


def inspected(frame: pl.DataFrame, seed: int) -> pl.Series:
    """Per row of ``frame`` (with ``pattern`` and ``illicit``): was its declaration inspected."""
    suspicious = (pl.col("pattern") != "") | pl.col("illicit")
    per_decl = frame.group_by("declaration_id").agg(suspicious.any().alias("suspicious"))
    chosen = per_decl.with_columns(
        (
            _draw(seed)
            < pl.when("suspicious").then(INSPECTED_SUSPICIOUS).otherwise(INSPECTED_OTHER)
        ).alias("inspected")
    )
    joined = frame.select("declaration_id").join(
        chosen, on="declaration_id", how="left", maintain_order="left"
    )
    return joined["inspected"]


def split_outcomes(
    frame: pl.DataFrame, seed: int, flow_from: dt.date
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(rows with outcomes kept only where inspected before ``flow_from``, what inspecting the
    others would find: one row per declaration not inspected, the flow's and the history's)."""
    history = pl.col("declared_on") < flow_from
    keep = pl.Series("keep", inspected(frame, seed)) & frame.select(history).to_series()
    recorded = frame.with_columns(
        pl.when(keep).then(pl.col(c)).otherwise(None).alias(c) for c in OUTCOME_COLUMNS
    )
    pending = (
        frame.filter(~keep)
        .group_by("declaration_id", maintain_order=True)
        .agg(
            pl.col("illicit").any(),
            pl.col("severity").max(),
            pl.col("revenue_recovered").sum(),
        )
    )
    return recorded, pending
