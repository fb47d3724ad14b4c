"""Reasons for a score, in words an officer understands.

LightGBM's own SHAP values (``pred_contrib=True``) are summed per *family* of features (all the
unit-value features are one reason, an entity's rate and count are one reason, ...), the families
pushing the score up most are kept, and each becomes a sentence built from the row's values:
"unit value 12% of the usual for 851713 from CN (n=40)", "importer QLRUBN9: past illicit rate
40% (n=25)".
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl

from borderlink.risk.features import ENTITY_KEYS, FeatureState

Row = dict[str, Any]

ENTITY_LABELS: Mapping[str, str] = MappingProxyType(
    {
        "importer_id": "importer",
        "declarant_id": "declarant",
        "exporter_id": "seller",
        "carrier_id": "courier",
        "hs6": "HS",
        "hs4": "HS heading",
        "origin_country": "origin",
        "departure_country": "departure",
        "office_id": "office",
    }
)

CATEGORY_LABELS: Mapping[str, str] = MappingProxyType(
    {
        "office_id": "office",
        "procedure": "procedure",
        "import_type": "import type",
        "import_use": "import use",
        "payment_type": "payment type",
        "transport_mode": "transport mode",
        "duty_type": "duty type",
        "origin_marking": "origin marking",
        "origin_country": "origin",
        "departure_country": "departure country",
        "hs2": "HS chapter",
    }
)


def family(feature: str) -> str:
    """The reason a feature belongs to."""
    if feature.startswith("uv_") or feature == "log_unit_value":
        return "unit_value"
    if feature.startswith("ref_n_"):
        return "rarity"
    if feature.startswith(("te_", "n_")):
        return "entity:" + feature.split("_", 1)[1]
    if feature.startswith("cat_"):
        return "category:" + feature.removeprefix("cat_")
    if feature in ("duty_rate", "log_duty_at_risk"):
        return "duty"
    if feature in ("value_not_positive", "mass_not_positive"):
        return "not_positive"
    return feature


def _str(frame: pl.DataFrame, column: str) -> pl.Expr:
    if column not in frame.columns:
        return pl.lit("(none)")
    value = pl.col(column).cast(pl.Utf8)
    return pl.when(value.is_null() | (value == "")).then(pl.lit("(none)")).otherwise(value)


def _f64(frame: pl.DataFrame, column: str) -> pl.Expr:
    if column not in frame.columns:
        return pl.lit(None, dtype=pl.Float64)
    value = pl.col(column).cast(pl.Float64)
    return pl.when(value.is_nan()).then(None).otherwise(value)


def _int(expr: pl.Expr) -> pl.Expr:
    return expr.round(0).cast(pl.Int64).cast(pl.Utf8)


def _one(expr: pl.Expr) -> pl.Expr:
    """One decimal, as text."""
    return expr.round(1).cast(pl.Utf8)


def _times(ratio: pl.Expr) -> pl.Expr:
    """0.12 → "12% of"; 35.24 → "35.2 times"."""
    return (
        pl.when(ratio >= 2)
        .then(pl.format("{} times", _one(ratio)))
        .otherwise(pl.format("{}% of", _int(ratio * 100)))
    )


def _unit_value(f: pl.DataFrame) -> pl.Expr:
    hs6, origin = _str(f, "hs6"), _str(f, "origin_country")
    pair, code = _f64(f, "uv_ratio_hs6_x_origin"), _f64(f, "uv_ratio_hs6")
    log_uv = _f64(f, "log_unit_value")
    return (
        pl.when(pair.is_not_null())
        .then(
            pl.format(
                "unit value {} the usual for {} from {} (n={})",
                _times(pair),
                hs6,
                origin,
                _int(_f64(f, "ref_n_hs6_x_origin").fill_null(0)),
            )
        )
        .when(code.is_not_null())
        .then(
            pl.format(
                "unit value {} the usual for {} (n={}; none from {})",
                _times(code),
                hs6,
                _int(_f64(f, "ref_n_hs6").fill_null(0)),
                origin,
            )
        )
        .when(log_uv.is_null())
        .then(pl.lit("no usable unit value (value or mass missing, zero or negative)"))
        .otherwise(
            pl.format(
                "unit value {} per kg; no reference for {} from {}",
                log_uv.exp().round(2).cast(pl.Utf8),
                hs6,
                origin,
            )
        )
    )


def _rarity(f: pl.DataFrame) -> pl.Expr:
    hs6 = _str(f, "hs6")
    return pl.format(
        "rarely declared: {} earlier declarations of {} from {}, {} of {} from anywhere",
        _int(_f64(f, "ref_n_hs6_x_origin").fill_null(0)),
        hs6,
        _str(f, "origin_country"),
        _int(_f64(f, "ref_n_hs6").fill_null(0)),
        hs6,
    )


def _entity(f: pl.DataFrame, name: str, state: FeatureState) -> pl.Expr:
    parts: list[pl.Expr | str] = []
    for i, key in enumerate(ENTITY_KEYS[name]):
        parts += [" with " if i else "", f"{ENTITY_LABELS.get(key, key)} ", _str(f, key)]
    who = pl.concat_str([pl.lit(p) if isinstance(p, str) else p for p in parts])
    n = _f64(f, f"n_{name}").fill_null(0.0)
    te = _f64(f, f"te_{name}")
    m = state.config.smoothing
    raw = ((te * (n + m) - m * state.prior) / n).clip(0.0, 1.0)
    return (
        pl.when((n < 1) | te.is_null())
        .then(pl.format("{}: never seen before", who))
        .otherwise(pl.format("{}: past illicit rate {}% (n={})", who, _int(raw * 100), _int(n)))
    )


def _simple(f: pl.DataFrame, reason: str) -> pl.Expr:
    dep, origin, hs6 = _str(f, "departure_country"), _str(f, "origin_country"), _str(f, "hs6")
    if reason == "log_value":
        value = _f64(f, "log_value").exp()
        return pl.format("declared value {}", _int(value).fill_null("missing"))
    if reason == "log_mass":
        mass = _f64(f, "log_mass").exp()
        return pl.format("net mass {}", pl.format("{} kg", _one(mass)).fill_null("missing"))
    if reason == "duty":
        rate = _f64(f, "duty_rate").cast(pl.Utf8).fill_null("?")
        at_risk = _int(_f64(f, "log_duty_at_risk").exp()).fill_null("none")
        return pl.format("duty rate {}% (duty at risk {})", rate, at_risk)
    if reason == "route_transit":
        return (
            pl.when(_f64(f, "route_transit").fill_null(0) > 0)
            .then(pl.format("shipped from {}, origin {}", dep, origin))
            .otherwise(pl.format("shipped directly from the origin {}", origin))
        )
    if reason == "hs_older_edition":
        return (
            pl.when(_f64(f, "hs_older_edition").fill_null(0) > 0)
            .then(pl.format("HS code {} exists only in an older HS edition", hs6))
            .otherwise(pl.format("HS code {} is current", hs6))
        )
    if reason == "not_positive":
        return pl.lit("declared value or mass zero or negative")
    return pl.lit(reason)


def sentence(frame: pl.DataFrame, reason: str, state: FeatureState) -> pl.Expr:
    """One reason (a :func:`family` name) as a sentence for each row of ``frame``."""
    if reason == "unit_value":
        expr = _unit_value(frame)
    elif reason == "rarity":
        expr = _rarity(frame)
    elif reason.startswith("entity:"):
        expr = _entity(frame, reason.removeprefix("entity:"), state)
    elif reason.startswith("category:"):
        column = reason.removeprefix("category:")
        expr = pl.format("{} {}", pl.lit(CATEGORY_LABELS.get(column, column)), _str(frame, column))
    else:
        expr = _simple(frame, reason)
    return expr.alias(reason)


def describe(reason: str, row: Row, state: FeatureState) -> str:
    """One reason for one row (a mapping of column → value)."""
    frame = pl.DataFrame([row]) if row else pl.DataFrame({"_": [0]})
    text: str = frame.select(sentence(frame, reason, state)).item()
    return text


def family_matrix(feature_names: list[str]) -> tuple[list[str], npt.NDArray[np.float64]]:
    """The reason families and the (features x families) 0/1 matrix that sums into them."""
    families = sorted({family(f) for f in feature_names})
    index = {name: i for i, name in enumerate(families)}
    indicator = np.zeros((len(feature_names), len(families)))
    for i, f in enumerate(feature_names):
        indicator[i, index[family(f)]] = 1.0
    return families, indicator


def group_contributions(
    contrib: npt.NDArray[np.float64], feature_names: list[str]
) -> npt.NDArray[np.float64]:
    """Per-feature contributions (bias column last, as ``pred_contrib`` gives) → per family."""
    _, indicator = family_matrix(feature_names)
    return np.asarray(contrib[:, : len(feature_names)] @ indicator, dtype=np.float64)


def top_reasons(
    features: pl.DataFrame,
    grouped: npt.NDArray[np.float64],
    feature_names: list[str],
    state: FeatureState,
    *,
    top: int = 3,
    method: str = "shap",
) -> list[list[dict[str, Any]]]:
    """For each row, up to ``top`` reasons raising its score, strongest first.

    ``grouped`` holds the contributions per family (:func:`group_contributions`), in log-odds.
    Each reason is ``{"reason": family, "contribution": log-odds, "text": sentence,
    "method": method}``.
    """
    families, _ = family_matrix(feature_names)
    order = np.argsort(-grouped, axis=1)[:, :top]
    strength = np.take_along_axis(grouped, order, axis=1)
    used = sorted(set(order[strength > 0].tolist()))
    texts = np.empty((features.height, len(families)), dtype=object)
    if used:  # only the families some row needs, each as one vectorised expression
        columns = features.select(sentence(features, families[j], state) for j in used)
        for j in used:
            texts[:, j] = columns[families[j]].to_numpy()
    out: list[list[dict[str, Any]]] = []
    for r in range(features.height):
        reasons = []
        for j, value in zip(order[r].tolist(), strength[r].tolist(), strict=True):
            if value <= 0:
                break
            reasons.append(
                {
                    "reason": families[j],
                    "contribution": round(value, 4),
                    "text": texts[r, j],
                    "method": method,
                }
            )
        out.append(reasons)
    return out
