"""Channels within inspection capacity: red (physical check), yellow (documents), green (release).

:func:`assign_channels` is a pure function over one flow (say, one day's declarations) with a
``risk`` column. Quotas are ``N * red_share`` red and ``N * yellow_share`` yellow, each rounded
down or up at random in proportion to its fraction (so an office with nine declarations a day
and a 5% red share still sends one red on about every other day, and capacity holds on average),
and red + yellow + green = N exactly. Within each channel's quota:

1. rows a profile forces into the channel come first (if they exceed the quota they are all
   kept: a forced channel is an order, and the overflow is reported as ``forced_overflow``);
2. a ``random_share`` of the remaining quota is drawn uniformly from the rows not selected by
   risk (so the model keeps learning on an unbiased sample; ``seed`` makes it reproducible);
3. the rest goes to the highest ``risk``.

Adds ``channel`` and ``selection`` ("profile", "risk", "random" or "none").
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import polars as pl


@dataclass(frozen=True)
class CapacityPolicy:
    red_share: float = 0.05
    yellow_share: float = 0.10
    random_share: float = 0.10  # of each channel's capacity, drawn from the rest at random

    def __post_init__(self) -> None:
        for name in ("red_share", "yellow_share", "random_share"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must be within [0, 1]")
        if self.red_share + self.yellow_share > 1.0:
            raise ValueError("red_share + yellow_share must not exceed 1")


def _round(value: float, rng: np.random.Generator | None) -> int:
    """Down or up at random, up with probability the fraction: right on average."""
    low = math.floor(value)
    if rng is None:
        return low
    return low + int(rng.random() < value - low)


def quotas(
    n_rows: int, policy: CapacityPolicy, rng: np.random.Generator | None = None
) -> tuple[int, int, int]:
    """(red, yellow, green) counts for a flow of ``n_rows``; they add up to ``n_rows``.

    Without ``rng`` the shares are rounded down; with it, at random (see the module docstring).
    """
    red = min(_round(n_rows * policy.red_share, rng), n_rows)
    yellow = min(_round(n_rows * policy.yellow_share, rng), n_rows - red)
    return red, yellow, n_rows - red - yellow


def assign_channels(
    frame: pl.DataFrame,
    policy: CapacityPolicy | None = None,
    *,
    seed: int | None = None,
    risk: str = "risk",
) -> pl.DataFrame:
    """Add ``channel`` and ``selection`` to one flow (see the module docstring)."""
    policy = policy or CapacityPolicy()
    n = frame.height
    rng = np.random.default_rng(seed)
    channel = np.full(n, "green", dtype=object)
    selection = np.full(n, "none", dtype=object)
    taken = np.zeros(n, dtype=bool)
    scores = frame[risk].cast(pl.Float64).fill_null(0.0).fill_nan(0.0).to_numpy()
    forced = (
        frame["forced_channel"].to_numpy()
        if "forced_channel" in frame.columns
        else np.full(n, None, dtype=object)
    )
    order = np.argsort(-scores, kind="stable")
    red_quota, yellow_quota, _ = quotas(n, policy, rng)
    for name, quota in (("red", red_quota), ("yellow", yellow_quota)):
        forced_rows = np.flatnonzero((forced == name) & ~taken)
        channel[forced_rows] = name
        selection[forced_rows] = "profile"
        taken[forced_rows] = True
        left = max(quota - len(forced_rows), 0)
        n_random = round(left * policy.random_share)
        n_risk = left - n_random
        # highest risk first, skipping rows a profile forces into the other channel
        eligible = order[~taken[order] & (forced[order] == None)]  # noqa: E711 - elementwise
        by_risk = eligible[:n_risk]
        channel[by_risk] = name
        selection[by_risk] = "risk"
        taken[by_risk] = True
        rest = np.flatnonzero(~taken & (forced == None))  # noqa: E711 - elementwise
        if n_random and len(rest):
            drawn = rng.choice(rest, size=min(n_random, len(rest)), replace=False)
            channel[drawn] = name
            selection[drawn] = "random"
            taken[drawn] = True
    return frame.with_columns(
        pl.Series("channel", channel.tolist(), dtype=pl.Utf8),
        pl.Series("selection", selection.tolist(), dtype=pl.Utf8),
    )
