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
:func:`label` is the family's short name for a chart's axis. The sentences themselves are built
in :mod:`borderlink.risk.wording`, each in English and as a message a page translates.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl

from borderlink.model.messages import CATEGORY_TITLES, ENTITY_LABELS, FAMILY_LABELS, render
from borderlink.risk.features import ENTITY_KEYS, FeatureState
from borderlink.risk.wording import Row as Row
from borderlink.risk.wording import describe as describe
from borderlink.risk.wording import describe_message as describe_message
from borderlink.risk.wording import message as message
from borderlink.risk.wording import record as _record
from borderlink.risk.wording import sentence as sentence
from borderlink.risk.wording import unit_ratio as _unit_ratio


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


def label_message(reason: str) -> dict[str, Any]:
    """A family's short name as a message (``{"key", "params"}``) for a page to translate."""
    if reason.startswith("entity:"):
        keys = ENTITY_KEYS.get(reason.removeprefix("entity:"), ())
        roles = [{"key": f"role.{k}"} for k in keys if k in ENTITY_LABELS]
        who: dict[str, Any] = roles[0] if roles else {"key": "role.trader"}
        for more in roles[1:]:
            who = {"key": "label.with", "params": {"a": who, "b": more}}
        return {"key": "label.entity", "params": {"who": who}}
    if reason.startswith("category:"):
        column = reason.removeprefix("category:")
        return {
            "key": f"label.category.{column}"
            if column in CATEGORY_TITLES
            else "label.category.other"
        }
    return {"key": f"label.{reason}" if reason in FAMILY_LABELS else "label.other"}


def label(reason: str) -> str:
    """A family's short name in the officer's words (a chart's axis label), in English."""
    return render(label_message(reason))
