"""Reasons for a score, in words an officer understands.

LightGBM's own SHAP values (``pred_contrib=True``) are summed per *family* of features (all the
unit-value features are one reason, an entity's rate and count are one reason, ...), the families
pushing the score up most are kept, and each becomes a sentence built from the row's values:
"unit value 12% of the usual for 851713 from CN (n=40)", "importer QLRUBN9: past illicit rate
40% (n=25)".
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl

from borderlink.risk.features import ENTITY_KEYS, FeatureState

Row = dict[str, Any]

ENTITY_LABELS: dict[str, str] = {
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

CATEGORY_LABELS: dict[str, str] = {
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


def _num(value: Any) -> float | None:
    if value is None:
        return None
    number = float(value)
    return None if math.isnan(number) else number


def _times(ratio: float) -> str:
    """0.12 → "12% of"; 35.2 → "35.2 times"."""
    return f"{ratio:,.1f} times" if ratio >= 2 else f"{ratio:.0%} of"


def _unit_value(row: Row, state: FeatureState) -> str:
    hs6, origin = row.get("hs6") or "?", row.get("origin_country") or "?"
    ratio, n = _num(row.get("uv_ratio_hs6_x_origin")), _num(row.get("ref_n_hs6_x_origin"))
    if ratio is not None:
        return f"unit value {_times(ratio)} the usual for {hs6} from {origin} (n={n:.0f})"
    ratio, n = _num(row.get("uv_ratio_hs6")), _num(row.get("ref_n_hs6"))
    if ratio is not None:
        return f"unit value {_times(ratio)} the usual for {hs6} (n={n:.0f}; none from {origin})"
    log_uv = _num(row.get("log_unit_value"))
    if log_uv is None:
        return "no usable unit value (value or mass missing, zero or negative)"
    return f"unit value {math.exp(log_uv):,.2f} per kg; no reference for {hs6} from {origin}"


def _rarity(row: Row) -> str:
    hs6, origin = row.get("hs6") or "?", row.get("origin_country") or "?"
    pair = _num(row.get("ref_n_hs6_x_origin")) or 0.0
    code = _num(row.get("ref_n_hs6")) or 0.0
    return (
        f"rarely declared: {pair:.0f} earlier declarations of {hs6} from {origin}, "
        f"{code:.0f} of {hs6} from anywhere"
    )


def _entity(name: str, row: Row, state: FeatureState) -> str:
    keys = ENTITY_KEYS[name]
    who = " with ".join(f"{ENTITY_LABELS.get(k, k)} {row.get(k) or '(none)'}" for k in keys)
    n = _num(row.get(f"n_{name}")) or 0.0
    te = _num(row.get(f"te_{name}"))
    if n < 1 or te is None:
        return f"{who}: never seen before"
    m = state.config.smoothing
    raw = max(0.0, min(1.0, (te * (n + m) - m * state.prior) / n))
    return f"{who}: past illicit rate {raw:.0%} (n={n:.0f})"


def _category(column: str, row: Row) -> str:
    return f"{CATEGORY_LABELS.get(column, column)} {row.get(column) or '(none)'}"


def _simple(feature: str, row: Row) -> str:
    if feature == "log_value":
        value = _num(row.get("log_value"))
        return "declared value " + (f"{math.exp(value):,.0f}" if value is not None else "missing")
    if feature == "log_mass":
        mass = _num(row.get("log_mass"))
        return "net mass " + (f"{math.exp(mass):,.1f} kg" if mass is not None else "missing")
    if feature == "duty":
        rate = _num(row.get("duty_rate"))
        at_risk = _num(row.get("log_duty_at_risk"))
        money = f"{math.exp(at_risk):,.0f}" if at_risk is not None else "none"
        return f"duty rate {rate if rate is not None else '?'}% (duty at risk {money})"
    if feature == "route_transit":
        dep, origin = row.get("departure_country") or "?", row.get("origin_country") or "?"
        if _num(row.get("route_transit")):
            return f"shipped from {dep}, origin {origin}"
        return f"shipped directly from the origin {origin}"
    if feature == "hs_older_edition":
        code = row.get("hs6") or "?"
        if _num(row.get("hs_older_edition")):
            return f"HS code {code} exists only in an older HS edition"
        return f"HS code {code} is current"
    if feature == "not_positive":
        return "declared value or mass zero or negative"
    return feature


def describe(reason: str, row: Row, state: FeatureState) -> str:
    """One reason (a :func:`family` name) as a sentence for this row."""
    if reason == "unit_value":
        return _unit_value(row, state)
    if reason == "rarity":
        return _rarity(row)
    if reason.startswith("entity:"):
        return _entity(reason.removeprefix("entity:"), row, state)
    if reason.startswith("category:"):
        return _category(reason.removeprefix("category:"), row)
    return _simple(reason, row)


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
    wanted = [c for c in features.columns if c in _DESCRIBED or c.startswith(("te_", "n_"))]
    rows = features.select(wanted).to_dicts()
    out: list[list[dict[str, Any]]] = []
    for r, row in enumerate(rows):
        reasons = []
        for j in order[r]:
            value = float(grouped[r, j])
            if value <= 0:
                break
            reasons.append(
                {
                    "reason": families[j],
                    "contribution": round(value, 4),
                    "text": describe(families[j], row, state),
                    "method": method,
                }
            )
        out.append(reasons)
    return out


_DESCRIBED = frozenset(
    {
        "hs6",
        "origin_country",
        "departure_country",
        *ENTITY_LABELS,
        *CATEGORY_LABELS,
        "uv_ratio_hs6_x_origin",
        "log_unit_value",
        "log_value",
        "log_mass",
        "duty_rate",
        "log_duty_at_risk",
        "route_transit",
        "hs_older_edition",
        "ref_n_hs6_x_origin",
        "uv_ratio_hs6",
        "ref_n_hs6",
    }
)
