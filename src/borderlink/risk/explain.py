"""Reasons for a score, in words an officer understands.

LightGBM's own SHAP values (``pred_contrib=True``) are summed per *family* of features (all the
unit-value features are one reason, an entity's rate and count are one reason, ...): each
family's signed contribution moves the score away from the baseline (the model's average).
Those raising it most and those lowering it most are kept, and each becomes a sentence built
from the row's values, in the officer's words: "declared value per kg is 46% below the usual
for 2005.60 from LK (40 earlier declarations)", "origin BD: no illicit finding in 50 past
inspected declarations".

A sentence states a fact, and some facts point one way: a value far below the usual points up,
a clean record points down. :func:`lean` says which way a row's fact points, and a reason is
kept only where the fact and the sign agree: when the model's credit for a family runs against
its fact (an interaction with other facts), stating the fact would contradict the score.
:func:`label` is the family's short name for a chart's axis.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl

from borderlink.model.labels import PREVIOUS, PROCEDURES, TRANSPORT_MODES
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


def _hs(frame: pl.DataFrame) -> pl.Expr:
    """200560 → "2005.60", as officers write a subheading."""
    code = _str(frame, "hs6")
    return (
        pl.when(code.str.len_chars() == 6)
        .then(pl.format("{}.{}", code.str.slice(0, 4), code.str.slice(4, 2)))
        .otherwise(code)
    )


def _against_usual(ratio: pl.Expr) -> pl.Expr:
    """0.54 → "46% below"; 1.3 → "30% above"; 35.24 → "35.2 times"; 1.0 → "the same as"."""
    below, above = _int((1 - ratio) * 100), _int((ratio - 1) * 100)
    return (
        pl.when(ratio >= 2)
        .then(pl.format("{} times", _one(ratio)))
        .when(below == "0")
        .then(pl.lit("the same as"))
        .when(ratio < 1)
        .then(pl.format("{}% below", below))
        .otherwise(pl.format("{}% above", above))
    )


def _unit_ratio(f: pl.DataFrame) -> pl.Expr:
    return pl.coalesce(_f64(f, "uv_ratio_hs6_x_origin"), _f64(f, "uv_ratio_hs6"))


def _unit_value(f: pl.DataFrame) -> pl.Expr:
    hs6, origin = _hs(f), _str(f, "origin_country")
    pair, code = _f64(f, "uv_ratio_hs6_x_origin"), _f64(f, "uv_ratio_hs6")
    log_uv = _f64(f, "log_unit_value")
    return (
        pl.when(pair.is_not_null())
        .then(
            pl.format(
                "declared value per kg is {} the usual for {} from {} ({} earlier declarations)",
                _against_usual(pair),
                hs6,
                origin,
                _int(_f64(f, "ref_n_hs6_x_origin").fill_null(0)),
            )
        )
        .when(code.is_not_null())
        .then(
            pl.format(
                "declared value per kg is {} the usual for {} ({} earlier declarations, "
                "none from {})",
                _against_usual(code),
                hs6,
                _int(_f64(f, "ref_n_hs6").fill_null(0)),
                origin,
            )
        )
        .when(log_uv.is_null())
        .then(pl.lit("no value per kg to compare (value or mass missing, zero or negative)"))
        .otherwise(
            pl.format(
                "declared value per kg {}; too few earlier declarations of {} from {} to compare",
                log_uv.exp().round(2).cast(pl.Utf8),
                hs6,
                origin,
            )
        )
    )


def _rarity(f: pl.DataFrame) -> pl.Expr:
    hs6 = _hs(f)
    return pl.format(
        "{} earlier declarations of {} from {}, {} of {} from anywhere",
        _int(_f64(f, "ref_n_hs6_x_origin").fill_null(0)),
        hs6,
        _str(f, "origin_country"),
        _int(_f64(f, "ref_n_hs6").fill_null(0)),
        hs6,
    )


def _who(f: pl.DataFrame, name: str) -> pl.Expr:
    parts: list[pl.Expr | str] = []
    for i, key in enumerate(ENTITY_KEYS[name]):
        shown = _hs(f) if key == "hs6" else _str(f, key)
        parts += [" with " if i else "", f"{ENTITY_LABELS.get(key, key)} ", shown]
    return pl.concat_str([pl.lit(p) if isinstance(p, str) else p for p in parts])


def _record(f: pl.DataFrame, name: str, state: FeatureState) -> tuple[pl.Expr, pl.Expr]:
    """(past inspected declarations, the share found illicit) of the row's entity."""
    n = _f64(f, f"n_{name}").fill_null(0.0)
    te = _f64(f, f"te_{name}")
    m = state.config.smoothing
    rate = ((te * (n + m) - m * state.prior) / n).clip(0.0, 1.0)
    return n, pl.when((n < 1) | te.is_null()).then(None).otherwise(rate)


def _entity(f: pl.DataFrame, name: str, state: FeatureState) -> pl.Expr:
    who = _who(f, name)
    n, rate = _record(f, name, state)
    found = _int(rate * n)
    usual = f"{state.prior * 100:.0f}%"
    return (
        pl.when(rate.is_null())
        .then(pl.format("{}: no earlier inspected declaration", who))
        .when(found == "0")
        .then(pl.format("{}: no illicit finding in {} past inspected declarations", who, _int(n)))
        .otherwise(
            pl.format(
                "{}: found illicit in {} of {} past inspected declarations ({}%; usual {})",
                who,
                found,
                _int(n),
                _int(rate * 100),
                pl.lit(usual),
            )
        )
    )


def _coded(f: pl.DataFrame, column: str) -> pl.Expr:
    """A category's value with its human label where codes have one ("1" → "sea")."""
    code = _str(f, column)
    if column == "transport_mode":
        return code.replace_strict(dict(TRANSPORT_MODES), default=code)
    if column == "procedure":
        asked = code.str.slice(0, 2).replace_strict(dict(PROCEDURES), default=None)
        before = code.str.slice(2, 2).replace_strict(dict(PREVIOUS), default="")
        named = pl.concat_str(asked, pl.when(before != "").then(" " + before).otherwise(pl.lit("")))
        return pl.when(asked.is_null()).then(code).otherwise(pl.format("{} ({})", named, code))
    return code


def _simple(f: pl.DataFrame, reason: str) -> pl.Expr:
    dep, origin, hs6 = _str(f, "departure_country"), _str(f, "origin_country"), _hs(f)
    if reason == "log_value":
        value = _f64(f, "log_value").exp()
        return pl.format("declared value {}", _int(value).fill_null("missing"))
    if reason == "log_mass":
        mass = _f64(f, "log_mass").exp()
        return pl.format("net mass {}", pl.format("{} kg", _one(mass)).fill_null("missing"))
    if reason == "duty":
        rate = _f64(f, "duty_rate").cast(pl.Utf8).fill_null("?")
        at_risk = _int(_f64(f, "log_duty_at_risk").exp())
        return (
            pl.when(at_risk.is_null())
            .then(pl.format("duty rate {}%: no duty at stake", rate))
            .otherwise(pl.format("duty rate {}% ({} of duty at stake)", rate, at_risk))
        )
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
        expr = pl.format(
            "{} {}", pl.lit(CATEGORY_LABELS.get(column, column)), _coded(frame, column)
        )
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


# A value per kg this far below the usual points to undervaluation; this close to it, to none.
FAR_BELOW, NEAR = 0.7, (0.8, 1.25)
RAISES, LOWERS = "raises", "lowers"


def lean(frame: pl.DataFrame, reason: str, state: FeatureState) -> pl.Expr:
    """Which way the fact a reason states points, per row: "raises", "lowers" or null (a
    fact such as "origin CN" points neither way: the model's sign says which)."""
    none = pl.lit(None, dtype=pl.Utf8)
    if reason == "unit_value":
        ratio = _unit_ratio(frame)
        return (
            pl.when(ratio < FAR_BELOW)
            .then(pl.lit(RAISES))
            .when(ratio.is_between(*NEAR))
            .then(pl.lit(LOWERS))
            .otherwise(none)
        )
    if reason.startswith("entity:"):
        _, rate = _record(frame, reason.removeprefix("entity:"), state)
        return (
            pl.when(rate > state.prior)
            .then(pl.lit(RAISES))
            .when(rate < state.prior)
            .then(pl.lit(LOWERS))
            .otherwise(none)
        )
    if reason == "not_positive":
        return pl.lit(RAISES)
    return none


FAMILY_LABELS: Mapping[str, str] = MappingProxyType(
    {
        "unit_value": "Value per kg against the usual",
        "rarity": "How often these goods are declared",
        "duty": "Duty at stake",
        "log_value": "Declared value",
        "log_mass": "Net mass",
        "route_transit": "Route",
        "hs_older_edition": "HS edition",
        "not_positive": "Zero or negative value or mass",
    }
)


def label(reason: str) -> str:
    """A family's short name in the officer's words (a chart's axis label)."""
    if reason.startswith("entity:"):
        keys = ENTITY_KEYS.get(reason.removeprefix("entity:"), ())
        who = " with ".join(ENTITY_LABELS.get(k, k) for k in keys) or "trader"
        return f"Record of the {who}"
    if reason.startswith("category:"):
        column = reason.removeprefix("category:")
        name = CATEGORY_LABELS.get(column, "declared code")
        return name[:1].upper() + name[1:]
    return FAMILY_LABELS.get(reason, "Other facts")


def top_reasons(
    features: pl.DataFrame,
    grouped: npt.NDArray[np.float64],
    feature_names: list[str],
    state: FeatureState,
    *,
    top: int = 3,
    lowering: int = 2,
    method: str = "shap",
) -> list[list[dict[str, Any]]]:
    """For each row, up to ``top`` reasons raising its score, then up to ``lowering`` lowering
    it, strongest first, each against the baseline.

    ``grouped`` holds the contributions per family (:func:`group_contributions`), in log-odds.
    Each reason is ``{"reason": family, "label": its short name, "effect": "raises" or
    "lowers", "contribution": signed log-odds, "text": sentence, "method": method}``. A batch
    takes them as a column of JSON texts (:func:`borderlink.risk.reasons.model_reasons`).
    """
    from borderlink.risk.reasons import model_reasons  # it builds on this module

    column = model_reasons(
        features, grouped, feature_names, state, top=top, lowering=lowering, method=method
    )
    return [[json.loads(text) for text in row] for row in column.to_list()]
