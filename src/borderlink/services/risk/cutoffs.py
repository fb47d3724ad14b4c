"""The risk cut-offs a single score is channelled by: quantiles of the model's latest stored
scores (red and yellow by the capacity shares, blue below them), kept in the node runtime for
``risk_cutoff_seconds`` because they move slowly and reading them grows with the history.
"""

from __future__ import annotations

import time

import polars as pl
from sqlalchemy import select

from borderlink import risk
from borderlink.services.node import Node
from borderlink.store.risk_tables import scores

CUTOFF_SAMPLE = 100_000


def thresholds(node: Node, model_version: str, policy: risk.CapacityPolicy) -> tuple[float, float]:
    """Risk cut-offs for red and yellow: quantiles of this model's latest scores.

    Reading them is the one part of a single score that grows with the node's history (up to
    ``CUTOFF_SAMPLE`` rows), and they move slowly, so they are kept for
    ``risk_cutoff_seconds``.
    """
    # (model version, shares) -> (monotonic time read, red cut-off, yellow cut-off)
    cutoffs = node.runtime.cutoffs
    key = (model_version, policy.red_share, policy.yellow_share)
    now = time.monotonic()
    cached = cutoffs.get(key)
    if cached is not None and now - cached[0] < node.settings.risk_cutoff_seconds:
        return cached[1], cached[2]
    with node.read() as conn:
        risks = (
            conn.execute(
                select(scores.c.risk)
                .where(scores.c.model_version == model_version)
                .order_by(scores.c.scored_at.desc())
                .limit(CUTOFF_SAMPLE)
            )
            .scalars()
            .all()
        )
    if not risks:
        return 0.5, 0.3  # nothing scored yet: fixed cut-offs, and look again next time
    series = pl.Series(risks, dtype=pl.Float64)
    red = float(series.quantile(1 - policy.red_share) or 1.0)
    yellow = float(series.quantile(1 - policy.red_share - policy.yellow_share) or 1.0)
    cutoffs[key] = (now, red, yellow)
    return red, yellow


def blue_cutoff(node: Node, model_version: str, policy: risk.CapacityPolicy) -> float | None:
    """The risk from which a single score goes blue: the quantile below red and yellow's
    shares by ``risk_blue_share`` (none when the model sends nothing blue)."""
    share = node.settings.risk_blue_share
    held = policy.red_share + policy.yellow_share
    if share <= 0 or held >= 1:
        return None
    return thresholds(node, model_version, risk.CapacityPolicy(held, min(share, 1 - held)))[1]
