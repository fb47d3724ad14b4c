"""The reasons as they were built before they became columns: row by row, a list of dicts per
declaration, JSON-encoded one at a time. Kept here only to prove the column path says the same
(``test_reasons_columns``), messages (key and params) included."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl

from borderlink.model.messages import render
from borderlink.risk import explain
from borderlink.risk.explain import LOWERS, RAISES
from borderlink.risk.features import FeatureState
from borderlink.risk.model import RiskModel, contributions, matrix
from borderlink.risk.paths import PathExplainer
from borderlink.risk.profiles import CompiledProfile
from borderlink.risk.scoring import SHAP_LIMIT
from borderlink.risk.wording import stored


def _candidates(grouped: npt.NDArray[np.float64], top: int) -> npt.NDArray[np.int64]:
    spare = top + 3
    order = np.argsort(-grouped, axis=1)
    return np.concatenate([order[:, :spare], order[:, ::-1][:, :spare]], axis=1)


def _pick(
    row: int,
    values: npt.NDArray[np.float64],
    order: npt.NDArray[np.int64],
    leans: npt.NDArray[Any],
    top: int,
    lowering: int,
) -> list[tuple[int, float, str]]:
    picked: list[tuple[int, float, str]] = []
    wanted = {RAISES: top, LOWERS: lowering}
    seen: set[int] = set()
    half = len(order) // 2
    for k, j in enumerate(order.tolist()):
        value = float(values[j])
        effect = RAISES if value > 0 else LOWERS
        if (effect == RAISES) != (k < half):
            continue
        if j in seen or value == 0 or wanted[effect] == 0:
            continue
        seen.add(j)
        if leans[row, j] not in (None, effect):
            continue
        picked.append((j, round(value, 4), effect))
        wanted[effect] -= 1
    picked.sort(key=lambda p: (p[2] != RAISES, -abs(p[1])))
    return picked


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
    families, _ = explain.family_matrix(feature_names)
    labels = [explain.label(f) for f in families]
    order = _candidates(grouped, top)
    used = sorted(set(order.ravel().tolist()))
    texts = np.empty((features.height, len(families)), dtype=object)
    leans = np.empty((features.height, len(families)), dtype=object)
    messages = np.empty((features.height, len(families)), dtype=object)
    if used and features.height:
        columns = features.select(
            *(explain.sentence(features, families[j], state) for j in used),
            *(explain.lean(features, families[j], state).alias(f"lean:{j}") for j in used),
            *(explain.message(features, families[j], state).alias(f"message:{j}") for j in used),
        )
        for j in used:
            texts[:, j] = columns[families[j]].to_numpy()
            leans[:, j] = columns[f"lean:{j}"].to_numpy()
            messages[:, j] = columns[f"message:{j}"].to_numpy()
    return [
        [
            {
                "reason": families[j],
                "label": labels[j],
                "effect": effect,
                "contribution": value,
                "text": texts[r, j],
                **stored(messages[r, j]),
                "method": method,
            }
            for j, value, effect in _pick(r, grouped[r], order[r], leans, top, lowering)
        ]
        for r in range(features.height)
    ]


def attach_reasons(
    model: RiskModel,
    items: pl.DataFrame,
    decls: pl.DataFrame,
    profiles: Sequence[CompiledProfile] = (),
    top: int = 3,
    method: str = "auto",
) -> pl.DataFrame:
    flagged = decls["channel"] != "green"
    rows = decls.with_row_index("_d").filter(flagged)
    result: list[list[dict[str, Any]] | None] = [None] * decls.height
    if rows.height:
        reason_text = {c.profile.name: c.profile.reason for c in profiles}
        sub = items[rows["_item"].to_list()]
        if method == "auto":
            method = "shap" if sub.height <= SHAP_LIMIT else "path"
        if method == "shap":
            grouped = explain.group_contributions(contributions(model, sub), model.features)
        else:
            explainer = model.cache.get("paths")
            if explainer is None:
                explainer = model.cache["paths"] = PathExplainer(model.booster, model.features)
            grouped = explainer.grouped(model.booster, matrix(model, sub))
        why_all = top_reasons(sub, grouped, model.features, model.state, top=top, method=method)
        for d, hits, selection, risk, why in zip(
            rows["_d"].to_list(),
            rows["profile_hits"].to_list(),
            rows["selection"].to_list(),
            rows["risk"].to_list(),
            why_all,
            strict=True,
        ):
            result[d] = _declaration_reasons(hits or [], reason_text, selection, risk, why)
    encode = json.JSONEncoder(ensure_ascii=False, check_circular=False).encode
    text = [encode(r) if r is not None else None for r in result]
    return decls.with_columns(pl.Series("reasons", text, dtype=pl.Utf8))


def _selected(source: str, key: str, risk: float) -> dict[str, Any]:
    said = {"key": key, "params": {"risk": round(risk, 2)}}
    return {"source": source, "text": render(said, number=lambda v: f"{v:.2f}"), **said}


def _declaration_reasons(
    hits: list[str],
    reason_text: dict[str, str],
    selection: str,
    risk: float,
    why: list[dict[str, Any]],
) -> list[dict[str, Any]]:
    reasons: list[dict[str, Any]] = []
    if selection == "random":
        reasons.append(_selected("random", "selection.random", risk))
    reasons += [{"source": "profile", "profile": h, "text": reason_text.get(h, h)} for h in hits]
    if selection == "risk" and not hits:
        reasons.append(_selected("model", "selection.risk", risk))
    return reasons + [{"source": "model", **r} for r in why]
