"""Model knowledge a node may share, not declarations: per-feature statistics with
k-anonymity and differential privacy, and how a node uses partners' statistics as features.

What crosses a border (:func:`compute`): for keys that name no domestic trader (a foreign
exporter, an HS subheading, an origin, a route, and their combinations, :data:`SHARED_KEYS`),
how many goods items were inspected and how many were found illicit; and per HS subheading
(and origin) the unit-value distribution (:data:`REFERENCE_KEYS`: count, mean and spread of
the log unit value). Importers and declarants never appear: their history is domestic.

Privacy, in two layers:

* **k-anonymity**: a key is published only when its statistics cover at least ``k`` goods items
  *and* ``k`` distinct importers, so no published figure is one importer's record;
* **differential privacy** (Laplace mechanism): every published count and sum gets noise of
  scale ``sensitivity / epsilon_i``, where the budget ``epsilon`` is split evenly over the
  published statistic families (two counts per rate key family, three sums per reference
  family). A goods item changes each count by at most 1; its log unit value is clipped to
  ``[LOG_UV_MIN, LOG_UV_MAX]`` before summing, which bounds the sums' sensitivity. The noise is
  drawn from a generator seeded by the caller, so a release can be reproduced and audited.
  (Items of one declaration count separately: the guarantee is per goods item.)

What a receiving node does (:func:`add_features`): joins the partners' statistics (summed over
partners) onto its own rows as extra features, ``shared_te_<key>`` (the partners' illicit rate
for the key, smoothed toward their overall rate), ``shared_n_<key>``, and ``shared_uv_z_<ref>``
(how far the item's unit value lies from the partners' distribution). None of its own labels is
involved, so the features carry no leak into its training.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np
import polars as pl

from borderlink.errors import InvalidInput
from borderlink.risk.features import prepare

SHARED_KEYS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "exporter": ("exporter_id",),
        "exporter_x_hs6": ("exporter_id", "hs6"),
        "hs6": ("hs6",),
        "hs4": ("hs4",),
        "origin": ("origin_country",),
        "route": ("departure_country", "origin_country"),
        "hs6_x_origin": ("hs6", "origin_country"),
    }
)
REFERENCE_KEYS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {"hs6": ("hs6",), "hs6_x_origin": ("hs6", "origin_country")}
)
LOG_UV_MIN, LOG_UV_MAX = -10.0, 15.0  # clipping bounds of the log unit value (per kg)


@dataclass(frozen=True)
class SharingPolicy:
    """How much a node protects what it shares (an agreement's terms for model knowledge)."""

    k: int = 5  # minimum goods items and distinct importers behind a published key
    epsilon: float = 1.0  # the differential-privacy budget of one release
    keys: tuple[str, ...] = tuple(SHARED_KEYS)
    references: tuple[str, ...] = tuple(REFERENCE_KEYS)

    def __post_init__(self) -> None:
        if self.k < 1:
            raise InvalidInput("k is at least 1", field="k")
        if not self.epsilon > 0:
            raise InvalidInput("epsilon is positive", field="epsilon")
        unknown = (set(self.keys) - set(SHARED_KEYS)) | (set(self.references) - set(REFERENCE_KEYS))
        if unknown:
            raise InvalidInput(f"not shareable: {sorted(unknown)}", field="keys")

    @property
    def families(self) -> int:
        return 2 * len(self.keys) + 3 * len(self.references)


@dataclass(frozen=True)
class SharedStats:
    """One node's release: noisy, k-anonymous statistics, and the terms it was made under."""

    node: str
    policy: SharingPolicy
    rates: dict[str, pl.DataFrame] = field(default_factory=dict)  # keys + n, pos
    references: dict[str, pl.DataFrame] = field(default_factory=dict)  # keys + n, sum, sumsq
    suppressed: dict[str, int] = field(default_factory=dict)  # keys withheld (k-anonymity)


def _laplace(rng: np.random.Generator, size: int, scale: float) -> pl.Series:
    return pl.Series(rng.laplace(0.0, scale, size))


def _rates(
    base: pl.DataFrame, keys: tuple[str, ...], policy: SharingPolicy, rng: np.random.Generator
) -> tuple[pl.DataFrame, int]:
    grouped = base.group_by(list(keys)).agg(
        pl.len().cast(pl.Float64).alias("n"),
        pl.col("_label").sum().cast(pl.Float64).alias("pos"),
        pl.col("importer_id").n_unique().alias("_importers"),
    )
    kept = grouped.filter((pl.col("n") >= policy.k) & (pl.col("_importers") >= policy.k))
    scale = policy.families / policy.epsilon  # sensitivity 1 per count
    noisy = kept.with_columns(
        (pl.col("n") + _laplace(rng, kept.height, scale)).clip(lower_bound=0.0).alias("n"),
        (pl.col("pos") + _laplace(rng, kept.height, scale)).clip(lower_bound=0.0).alias("pos"),
    ).with_columns(pl.min_horizontal("pos", "n").alias("pos"))
    return noisy.drop("_importers"), grouped.height - kept.height


def _references(
    base: pl.DataFrame, keys: tuple[str, ...], policy: SharingPolicy, rng: np.random.Generator
) -> tuple[pl.DataFrame, int]:
    uv = pl.col("log_unit_value").clip(LOG_UV_MIN, LOG_UV_MAX)
    grouped = (
        base.filter(pl.col("log_unit_value").is_not_null())
        .group_by(list(keys))
        .agg(
            pl.len().cast(pl.Float64).alias("n"),
            uv.sum().alias("sum"),
            (uv * uv).sum().alias("sumsq"),
            pl.col("importer_id").n_unique().alias("_importers"),
        )
    )
    kept = grouped.filter((pl.col("n") >= policy.k) & (pl.col("_importers") >= policy.k))
    scale = policy.families / policy.epsilon
    bound = max(abs(LOG_UV_MIN), abs(LOG_UV_MAX))
    noisy = kept.with_columns(
        (pl.col("n") + _laplace(rng, kept.height, scale)).clip(lower_bound=1.0).alias("n"),
        (pl.col("sum") + _laplace(rng, kept.height, scale * bound)).alias("sum"),
        (pl.col("sumsq") + _laplace(rng, kept.height, scale * bound * bound))
        .clip(lower_bound=0.0)
        .alias("sumsq"),
    )
    return noisy.drop("_importers"), grouped.height - kept.height


def compute(
    frame: pl.DataFrame,
    *,
    node: str,
    policy: SharingPolicy | None = None,
    seed: int,
    label: str = "illicit",
) -> SharedStats:
    """A node's release from its inspected history (rows with a known ``label``)."""
    policy = policy or SharingPolicy()
    base = frame if "log_unit_value" in frame.columns else prepare(frame)
    base = base.filter(pl.col(label).is_not_null()).with_columns(
        pl.col(label).cast(pl.Float64).alias("_label")
    )
    rng = np.random.default_rng(seed)
    rates, references, suppressed = {}, {}, {}
    for name in policy.keys:
        rates[name], suppressed[f"rate:{name}"] = _rates(base, SHARED_KEYS[name], policy, rng)
    for name in policy.references:
        references[name], suppressed[f"reference:{name}"] = _references(
            base, REFERENCE_KEYS[name], policy, rng
        )
    return SharedStats(node, policy, rates, references, suppressed)


def _summed(
    tables: Sequence[pl.DataFrame], keys: tuple[str, ...], columns: tuple[str, ...]
) -> pl.DataFrame:
    stacked = pl.concat([t.select(*keys, *columns) for t in tables], how="vertical_relaxed")
    return stacked.group_by(list(keys)).agg(pl.col(c).sum() for c in columns)


def feature_names(stats: Sequence[SharedStats]) -> list[str]:
    """The columns :func:`add_features` adds, in order."""
    keys = sorted({k for s in stats for k in s.rates})
    refs = sorted({r for s in stats for r in s.references})
    return [
        *(f"shared_{kind}_{k}" for k in keys for kind in ("te", "n")),
        *(f"shared_{kind}_{r}" for r in refs for kind in ("uv_z", "ref_n")),
    ]


def _prior(stats: Sequence[SharedStats]) -> float:
    """The partners' overall illicit rate (from their per-HS6 counts, or per origin)."""
    for name in ("hs6", "origin", *SHARED_KEYS):
        tables = [s.rates[name] for s in stats if name in s.rates]
        if tables:
            n = sum(float(t["n"].sum()) for t in tables)
            pos = sum(float(t["pos"].sum()) for t in tables)
            return pos / n if n > 0 else 0.0
    return 0.0


def add_features(
    frame: pl.DataFrame, stats: Sequence[SharedStats], *, smoothing: float = 10.0
) -> pl.DataFrame:
    """``frame`` (canonical or prepared) with the partners' statistics as features, row order
    kept. Keys a partner did not publish get the partners' prior and a count of 0."""
    out = (frame if "log_unit_value" in frame.columns else prepare(frame)).with_row_index(
        "_shared_row"
    )
    prior = _prior(stats)
    for name in sorted({k for s in stats for k in s.rates}):
        keys = SHARED_KEYS[name]
        table = _summed([s.rates[name] for s in stats if name in s.rates], keys, ("n", "pos"))
        n, pos = pl.col("n").fill_null(0.0), pl.col("pos").fill_null(0.0)
        out = (
            out.join(table, on=list(keys), how="left")
            .with_columns(
                ((pos + smoothing * prior) / (n + smoothing)).alias(f"shared_te_{name}"),
                n.alias(f"shared_n_{name}"),
            )
            .drop("n", "pos")
        )
    for name in sorted({r for s in stats for r in s.references}):
        keys = REFERENCE_KEYS[name]
        parts = [s.references[name] for s in stats if name in s.references]
        table = _summed(parts, keys, ("n", "sum", "sumsq")).with_columns(
            (pl.col("sum") / pl.col("n")).alias("_mean")
        )
        table = table.with_columns(
            (pl.col("sumsq") / pl.col("n") - pl.col("_mean") ** 2)
            .clip(lower_bound=0.0)
            .sqrt()
            .alias("_std")
        ).select(*keys, pl.col("n").alias("_ref_n"), "_mean", "_std")
        out = (
            out.join(table, on=list(keys), how="left")
            .with_columns(
                (
                    (pl.col("log_unit_value") - pl.col("_mean"))
                    / pl.max_horizontal(pl.col("_std"), pl.lit(0.05))
                ).alias(f"shared_uv_z_{name}"),
                pl.col("_ref_n").fill_null(0.0).alias(f"shared_ref_n_{name}"),
            )
            .drop("_ref_n", "_mean", "_std")
        )
    return out.sort("_shared_row").drop("_shared_row")
