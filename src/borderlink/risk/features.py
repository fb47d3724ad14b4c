"""Features for the risk model: pure functions from a canonical declarations frame to a frame.

Two halves, so the label never leaks:

* :func:`fit_state` learns a :class:`FeatureState` from labelled history: per-entity counts and
  illicit counts (importer, declarant, exporter, combinations), reference unit-value
  distributions per HS6 and HS6+origin, and the known categorical levels. The state is plain
  data (Polars frames and lists), saved beside the model.
* :func:`transform` turns any frame into features using only a state: for scoring, the state is
  fitted on the training history, so nothing from the rows being scored is used.
* :func:`training_features` builds the training matrix *out of fold*: each row's entity
  statistics come from the other folds only (K-fold, random, seeded) or from strictly earlier
  months (``scheme="time"``), then are smoothed toward the prior (Bayesian/m-estimate).

Everything is a function of its arguments, so the same code runs per partition (Spark
``mapInArrow``) with the state broadcast.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

import polars as pl

# Entity keys whose history (frequency, past illicit rate) the model sees. Each is a tuple of
# prepared columns; a combination gets a name joined with "_x_".
ENTITY_KEYS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "importer": ("importer_id",),
        "declarant": ("declarant_id",),
        "exporter": ("exporter_id",),
        "carrier": ("carrier_id",),
        "hs6": ("hs6",),
        "hs4": ("hs4",),
        "origin": ("origin_country",),
        "departure": ("departure_country",),
        "office": ("office_id",),
        "hs6_x_origin": ("hs6", "origin_country"),
        "importer_x_hs6": ("importer_id", "hs6"),
        "importer_x_declarant": ("importer_id", "declarant_id"),
        "declarant_x_office": ("declarant_id", "office_id"),
        "declarant_x_hs6": ("declarant_id", "hs6"),
        "exporter_x_hs6": ("exporter_id", "hs6"),
        "importer_x_exporter": ("importer_id", "exporter_id"),
        "importer_x_origin": ("importer_id", "origin_country"),
        "declarant_x_origin": ("declarant_id", "origin_country"),
        "hs6_x_office": ("hs6", "office_id"),
    }
)

# Low-cardinality codes given to LightGBM as categoricals.
CATEGORICALS: tuple[str, ...] = (
    "office_id",
    "procedure",
    "import_type",
    "import_use",
    "payment_type",
    "transport_mode",
    "duty_type",
    "origin_marking",
    "origin_country",
    "departure_country",
    "hs2",
)

# Unit-value references: (name, key columns).
REFERENCES: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "hs6": ("hs6",),
        "hs6_x_origin": ("hs6", "origin_country"),
    }
)

KEY_COLUMNS: tuple[str, ...] = (
    "importer_id",
    "declarant_id",
    "exporter_id",
    "carrier_id",
    "office_id",
    "origin_country",
    "departure_country",
)

MIN_REFERENCE = 3  # fewer observations than this: no reference for the key


@dataclass(frozen=True)
class FeatureConfig:
    """How features are smoothed; part of the model's configuration."""

    smoothing: float = 10.0  # m in (illicit + m·prior) / (n + m)
    folds: int = 5
    scheme: Literal["kfold", "time"] = "kfold"
    seed: int = 7
    entities: tuple[str, ...] = tuple(ENTITY_KEYS)


@dataclass(frozen=True)
class FeatureState:
    """What :func:`transform` needs, learned from labelled history only."""

    prior: float
    entities: dict[str, pl.DataFrame]  # name -> key columns + n + pos
    references: dict[str, pl.DataFrame]  # name -> key columns + ref_n, ref_med, ref_mean, ref_std
    categories: dict[str, list[str]]
    config: FeatureConfig = field(default_factory=FeatureConfig)


def _str_col(frame: pl.DataFrame, name: str) -> pl.Expr:
    if name in frame.columns:
        return pl.col(name).cast(pl.Utf8).fill_null("")
    return pl.lit("", dtype=pl.Utf8).alias(name)


def _num_col(frame: pl.DataFrame, name: str) -> pl.Expr:
    if name in frame.columns:
        return pl.col(name).cast(pl.Float64)
    return pl.lit(None, dtype=pl.Float64).alias(name)


def prepare(frame: pl.DataFrame) -> pl.DataFrame:
    """Derive the base columns every feature reads (HS levels, unit value, duty at risk, ...).

    Accepts the canonical item-level frame; missing optional columns are treated as empty.
    """
    hs_source = "hs_code_current" if "hs_code_current" in frame.columns else "hs_code"
    hs = pl.coalesce(pl.col(hs_source).cast(pl.Utf8), pl.col("hs_code").cast(pl.Utf8))
    flags = _str_col(frame, "flags")
    value = pl.col("value_reporting") if "value_reporting" in frame.columns else pl.col("value")
    base = frame.with_columns(
        *(_str_col(frame, c) for c in dict.fromkeys((*KEY_COLUMNS, *CATEGORICALS)) if c != "hs2"),
        hs.str.slice(0, 6).fill_null("").alias("hs6"),
        _num_col(frame, "duty_rate").alias("duty_rate"),
        _num_col(frame, "net_mass_kg").alias("net_mass_kg"),
        pl.coalesce(value.cast(pl.Float64), _num_col(frame, "value")).alias("_value"),
        flags.str.contains("hs_older_edition").alias("hs_older_edition"),
    )
    return base.with_columns(
        pl.col("hs6").str.slice(0, 4).alias("hs4"),
        pl.col("hs6").str.slice(0, 2).alias("hs2"),
        _log_pos(pl.col("_value")).alias("log_value"),
        _log_pos(pl.col("net_mass_kg")).alias("log_mass"),
        _log_pos(pl.col("_value") / pl.col("net_mass_kg")).alias("log_unit_value"),
        _log_pos(pl.col("_value") * pl.col("duty_rate") / 100.0).alias("log_duty_at_risk"),
        (pl.col("_value") <= 0).alias("value_not_positive"),
        (pl.col("net_mass_kg") <= 0).alias("mass_not_positive"),
        (
            (pl.col("departure_country") != pl.col("origin_country"))
            & (pl.col("departure_country") != "")
        ).alias("route_transit"),
    )


def _log_pos(expr: pl.Expr) -> pl.Expr:
    """log of a positive number; null for zero, negative, null or infinite."""
    return pl.when(expr.is_finite() & (expr > 0)).then(expr.log()).otherwise(None)


def _key(name: str) -> list[str]:
    return list(ENTITY_KEYS[name])


def _entity_stats(prepared: pl.DataFrame, name: str, label: str = "illicit") -> pl.DataFrame:
    return prepared.group_by(_key(name)).agg(
        pl.len().cast(pl.Float64).alias("n"), pl.col(label).cast(pl.Float64).sum().alias("pos")
    )


def _reference_stats(prepared: pl.DataFrame, name: str) -> pl.DataFrame:
    keys = list(REFERENCES[name])
    return (
        prepared.filter(pl.col("log_unit_value").is_not_null())
        .group_by(keys)
        .agg(
            pl.len().cast(pl.Float64).alias("ref_n"),
            pl.col("log_unit_value").median().alias("ref_med"),
            pl.col("log_unit_value").mean().alias("ref_mean"),
            pl.col("log_unit_value").std().alias("ref_std"),
        )
        .filter(pl.col("ref_n") >= MIN_REFERENCE)
    )


def fit_state(
    frame: pl.DataFrame, *, config: FeatureConfig | None = None, label: str = "illicit"
) -> FeatureState:
    """Learn the state from labelled history (``label`` column: bool or 0/1)."""
    config = config or FeatureConfig()
    prepared = frame if "hs6" in frame.columns else prepare(frame)
    prior = float(prepared.select(pl.col(label).cast(pl.Float64).mean()).item() or 0.0)
    entities = {name: _entity_stats(prepared, name, label) for name in config.entities}
    references = {name: _reference_stats(prepared, name) for name in REFERENCES}
    categories = {
        c: sorted(v for v in prepared[c].unique().to_list() if v is not None) for c in CATEGORICALS
    }
    return FeatureState(prior, entities, references, categories, config)


def _smoothed(prior: float | pl.Expr, m: float, name: str) -> list[pl.Expr]:
    n = pl.col("n").fill_null(0.0)
    pos = pl.col("pos").fill_null(0.0)
    return [
        ((pos + m * prior) / (n + m)).alias(f"te_{name}"),
        n.alias(f"n_{name}"),
    ]


def _reference_features(base: pl.DataFrame, state: FeatureState) -> pl.DataFrame:
    out = base
    for name, keys in REFERENCES.items():
        ref = state.references[name]
        out = out.join(ref, on=list(keys), how="left", nulls_equal=True).with_columns(
            (pl.col("log_unit_value") - pl.col("ref_med")).exp().alias(f"uv_ratio_{name}"),
            (
                (pl.col("log_unit_value") - pl.col("ref_mean"))
                / pl.max_horizontal(pl.col("ref_std"), pl.lit(0.05))
            ).alias(f"uv_z_{name}"),
            pl.col("ref_n").fill_null(0.0).alias(f"ref_n_{name}"),
            pl.col("ref_med").exp().alias(f"ref_median_uv_{name}"),
        )
        out = out.drop("ref_n", "ref_med", "ref_mean", "ref_std")
    return out


def _categorical_features(base: pl.DataFrame, state: FeatureState) -> pl.DataFrame:
    exprs = []
    for c in CATEGORICALS:
        levels = state.categories.get(c, [])
        mapping = pl.DataFrame(
            {c: levels, f"cat_{c}": list(range(len(levels)))},
            schema={c: pl.Utf8, f"cat_{c}": pl.Int32},
        )
        exprs.append(mapping)
    out = base
    for c, mapping in zip(CATEGORICALS, exprs, strict=True):
        out = out.join(mapping, on=c, how="left")
    return out


def feature_names(config: FeatureConfig | None = None) -> list[str]:
    """The model's input columns, in order."""
    config = config or FeatureConfig()
    names = [
        "log_value",
        "log_mass",
        "log_unit_value",
        "duty_rate",
        "log_duty_at_risk",
        "value_not_positive",
        "mass_not_positive",
        "route_transit",
        "hs_older_edition",
    ]
    for ref in REFERENCES:
        names += [f"uv_ratio_{ref}", f"uv_z_{ref}", f"ref_n_{ref}"]
    for ent in config.entities:
        names += [f"te_{ent}", f"n_{ent}"]
    names += [f"cat_{c}" for c in CATEGORICALS]
    return names


def categorical_feature_names() -> list[str]:
    return [f"cat_{c}" for c in CATEGORICALS]


def finish(frame: pl.DataFrame, config: FeatureConfig) -> pl.DataFrame:
    bools = ["value_not_positive", "mass_not_positive", "route_transit", "hs_older_edition"]
    return frame.with_columns(pl.col(b).cast(pl.Float64) for b in bools)


def transform(frame: pl.DataFrame, state: FeatureState) -> pl.DataFrame:
    """Features for rows *not* in the state's history (scoring): statistics from the state only.

    Returns the prepared frame with every column of :func:`feature_names` added, in row order.
    """
    base = frame if "hs6" in frame.columns else prepare(frame)
    out = base.with_row_index("_row")
    m = state.config.smoothing
    for name in state.config.entities:
        out = out.join(state.entities[name], on=_key(name), how="left").with_columns(
            _smoothed(state.prior, m, name)
        )
        out = out.drop("n", "pos")
    out = _reference_features(out, state)
    out = _categorical_features(out, state)
    return finish(out.sort("_row").drop("_row"), state.config)


def training_features(
    frame: pl.DataFrame, *, config: FeatureConfig | None = None, label: str = "illicit"
) -> tuple[pl.DataFrame, FeatureState]:
    """Out-of-fold features for the training rows, and the state fitted on all of them.

    ``scheme="kfold"``: rows are split into ``folds`` random folds (seeded, grouped by
    declaration so items of one declaration share a fold); a row's entity statistics come from
    the other folds. ``scheme="time"``: from strictly earlier months only. Label-free features
    (unit-value references, categorical levels) use the whole history.
    """
    config = config or FeatureConfig()
    prepared = prepare(frame).with_row_index("_row")
    state = fit_state(prepared, config=config, label=label)
    out = prepared.with_columns(_fold(prepared, config).alias("_fold"))
    out = out.join(_fold_priors(out, config, label), on="_fold", how="left")
    for name in config.entities:
        out = (
            out.join(_fold_stats(out, config, label, name), on=[*_key(name), "_fold"], how="left")
            .with_columns(_smoothed(pl.col("_prior"), config.smoothing, name))
            .drop("n", "pos")
        )
    out = _reference_features(out.drop("_prior"), state)
    out = _categorical_features(out, state)
    out = finish(out.sort("_row").drop("_row", "_fold"), config)
    return out, state


def _fold(prepared: pl.DataFrame, config: FeatureConfig) -> pl.Series:
    """Each row's fold: a seeded hash of its declaration (kfold) or its month (time)."""
    if config.scheme == "kfold":
        ids = prepared["declaration_id"].cast(pl.Utf8)
        return (ids.hash(seed=config.seed) % config.folds).cast(pl.Int64)
    date = prepared["declared_on"].cast(pl.Date)
    return (date.dt.year().cast(pl.Int64) * 12 + date.dt.month().cast(pl.Int64)).alias("f")


def _fold_priors(out: pl.DataFrame, config: FeatureConfig, label: str) -> pl.DataFrame:
    """``_fold, _prior``: the prior too is out of fold (kfold) or from earlier months only
    (time; null for the first month: no history yet)."""
    per = (
        out.group_by("_fold")
        .agg(
            pl.len().cast(pl.Float64).alias("fn"), pl.col(label).cast(pl.Float64).sum().alias("fp")
        )
        .sort("_fold")
    )
    if config.scheme == "kfold":
        n_other = pl.col("fn").sum() - pl.col("fn")
        p_other = pl.col("fp").sum() - pl.col("fp")
    else:
        n_other = pl.col("fn").cum_sum() - pl.col("fn")
        p_other = pl.col("fp").cum_sum() - pl.col("fp")
    return per.select(
        "_fold", pl.when(n_other > 0).then(p_other / n_other).otherwise(None).alias("_prior")
    )


def _fold_stats(out: pl.DataFrame, config: FeatureConfig, label: str, name: str) -> pl.DataFrame:
    """Per entity key and fold: ``n`` and ``pos`` counted from the other folds (kfold) or
    strictly earlier months (time)."""
    keys = _key(name)
    per_fold = out.group_by([*keys, "_fold"]).agg(
        pl.len().cast(pl.Float64).alias("fn"),
        pl.col(label).cast(pl.Float64).sum().alias("fpos"),
    )
    if config.scheme == "kfold":
        totals = per_fold.group_by(keys).agg(
            pl.col("fn").sum().alias("tn"), pl.col("fpos").sum().alias("tpos")
        )
        return per_fold.join(totals, on=keys).select(
            *keys,
            "_fold",
            (pl.col("tn") - pl.col("fn")).alias("n"),
            (pl.col("tpos") - pl.col("fpos")).alias("pos"),
        )
    # strictly earlier months: cumulative sums shifted by one month
    return (
        per_fold.sort([*keys, "_fold"])
        .with_columns(
            (pl.col("fn").cum_sum().over(keys) - pl.col("fn")).alias("n"),
            (pl.col("fpos").cum_sum().over(keys) - pl.col("fpos")).alias("pos"),
        )
        .select(*keys, "_fold", "n", "pos")
    )
