"""Reasons for a few declarations without Polars frames: the one-row path of :mod:`.explain`.

:func:`borderlink.risk.explain.top_reasons` builds each reason's sentence as a Polars expression
over a whole flow, which is what a batch of thousands wants. For the one declaration an officer
submits (or the hundred a stream batch brings) those expressions cost ~2.5 ms each to plan and
run, ~50 ms for a flagged declaration's candidates, against ~0.5 ms for the whole score. Here the
same sentences and leans are computed from plain Python values; the tests hold both paths equal
on many generated rows, so the two cannot drift apart in wording or in which reasons are kept.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from borderlink.model.labels import PREVIOUS, PROCEDURES, TRANSPORT_MODES
from borderlink.risk.explain import (
    CATEGORY_LABELS,
    ENTITY_LABELS,
    FAR_BELOW,
    LOWERS,
    NEAR,
    RAISES,
    _candidates,
    _pick,
    family_matrix,
    group_contributions,
    label,
)
from borderlink.risk.features import ENTITY_KEYS, FeatureState
from borderlink.risk.model import RiskModel
from borderlink.risk.profiles import CompiledProfile
from borderlink.risk.scoring import _declaration_reasons as declaration_reasons_of

Row = Mapping[str, Any]
NONE = "(none)"


def _str(row: Row, column: str) -> str:
    value = row.get(column)
    if value is None:
        return NONE
    text = value if isinstance(value, str) else _text(value)
    return text or NONE


def _text(value: Any) -> str:
    """A value as Polars casts it to text (floats as their shortest repr, "1.0" not "1")."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(float(value)) if isinstance(value, float) else str(value)


def _f64(row: Row, column: str) -> float | None:
    value = row.get(column)
    if value is None:
        return None
    number = float(value)
    return None if math.isnan(number) else number


def _int(value: float | None) -> str | None:
    return None if value is None else str(round(value))


def _one(value: float) -> str:
    return repr(round(value, 1))


def _exp(value: float | None) -> float | None:
    if value is None:
        return None
    try:
        return math.exp(value)
    except OverflowError:
        return math.inf


def _hs(row: Row) -> str:
    code = _str(row, "hs6")
    return f"{code[:4]}.{code[4:6]}" if len(code) == 6 else code


def _against_usual(ratio: float) -> str:
    below, above = _int((1 - ratio) * 100), _int((ratio - 1) * 100)
    if ratio >= 2:
        return f"{_one(ratio)} times"
    if below == "0":
        return "the same as"
    return f"{below}% below" if ratio < 1 else f"{above}% above"


def _unit_ratio(row: Row) -> float | None:
    pair = _f64(row, "uv_ratio_hs6_x_origin")
    return pair if pair is not None else _f64(row, "uv_ratio_hs6")


def _unit_value(row: Row) -> str:
    hs6, origin = _hs(row), _str(row, "origin_country")
    pair, code = _f64(row, "uv_ratio_hs6_x_origin"), _f64(row, "uv_ratio_hs6")
    log_uv = _f64(row, "log_unit_value")
    if pair is not None:
        n = _int(_f64(row, "ref_n_hs6_x_origin") or 0.0)
        return (
            f"declared value per kg is {_against_usual(pair)} the usual for {hs6} from "
            f"{origin} ({n} earlier declarations)"
        )
    if code is not None:
        n = _int(_f64(row, "ref_n_hs6") or 0.0)
        return (
            f"declared value per kg is {_against_usual(code)} the usual for {hs6} ({n} earlier "
            f"declarations, none from {origin})"
        )
    if log_uv is None:
        return "no value per kg to compare (value or mass missing, zero or negative)"
    per_kg = repr(round(math.exp(log_uv), 2))
    return (
        f"declared value per kg {per_kg}; too few earlier declarations of {hs6} from {origin} "
        "to compare"
    )


def _rarity(row: Row) -> str:
    hs6 = _hs(row)
    pair = _int(_f64(row, "ref_n_hs6_x_origin") or 0.0)
    anywhere = _int(_f64(row, "ref_n_hs6") or 0.0)
    origin = _str(row, "origin_country")
    return f"{pair} earlier declarations of {hs6} from {origin}, {anywhere} of {hs6} from anywhere"


def _who(row: Row, name: str) -> str:
    parts: list[str] = []
    for i, key in enumerate(ENTITY_KEYS[name]):
        shown = _hs(row) if key == "hs6" else _str(row, key)
        parts += [" with " if i else "", f"{ENTITY_LABELS.get(key, key)} ", shown]
    return "".join(parts)


def _record(row: Row, name: str, state: FeatureState) -> tuple[float, float | None]:
    """(past inspected declarations, the share found illicit) of the row's entity."""
    n = _f64(row, f"n_{name}") or 0.0
    te = _f64(row, f"te_{name}")
    if n < 1 or te is None:
        return n, None
    m = state.config.smoothing
    rate = (te * (n + m) - m * state.prior) / n
    return n, min(max(rate, 0.0), 1.0)


def _entity(row: Row, name: str, state: FeatureState) -> str:
    who = _who(row, name)
    n, rate = _record(row, name, state)
    if rate is None:
        return f"{who}: no earlier inspected declaration"
    found = _int(rate * n)
    if found == "0":
        return f"{who}: no illicit finding in {_int(n)} past inspected declarations"
    return (
        f"{who}: found illicit in {found} of {_int(n)} past inspected declarations "
        f"({_int(rate * 100)}%; usual {state.prior * 100:.0f}%)"
    )


def _coded(row: Row, column: str) -> str:
    code = _str(row, column)
    if column == "transport_mode":
        return TRANSPORT_MODES.get(code, code)
    if column == "procedure":
        asked = PROCEDURES.get(code[:2])
        if asked is None:
            return code
        before = PREVIOUS.get(code[2:4], "")
        return f"{asked}{' ' + before if before else ''} ({code})"
    return code


def _flag(row: Row, column: str) -> bool:
    return (_f64(row, column) or 0.0) > 0


def _simple(row: Row, reason: str) -> str:
    origin, hs6 = _str(row, "origin_country"), _hs(row)
    if reason == "log_value":
        return f"declared value {_int(_exp(_f64(row, 'log_value'))) or 'missing'}"
    if reason == "log_mass":
        mass = _exp(_f64(row, "log_mass"))
        return f"net mass {'missing' if mass is None else _one(mass) + ' kg'}"
    if reason == "duty":
        rate = _f64(row, "duty_rate")
        shown = "?" if rate is None else repr(rate)
        at_risk = _int(_exp(_f64(row, "log_duty_at_risk")))
        if at_risk is None:
            return f"duty rate {shown}%: no duty at stake"
        return f"duty rate {shown}% ({at_risk} of duty at stake)"
    if reason == "route_transit":
        if _flag(row, "route_transit"):
            return f"shipped from {_str(row, 'departure_country')}, origin {origin}"
        return f"shipped directly from the origin {origin}"
    if reason == "hs_older_edition":
        if _flag(row, "hs_older_edition"):
            return f"HS code {hs6} exists only in an older HS edition"
        return f"HS code {hs6} is current"
    if reason == "not_positive":
        return "declared value or mass zero or negative"
    return reason


def sentence(row: Row, reason: str, state: FeatureState) -> str:
    """One reason (a family name) as a sentence for one row: :func:`.explain.sentence`'s."""
    if reason == "unit_value":
        return _unit_value(row)
    if reason == "rarity":
        return _rarity(row)
    if reason.startswith("entity:"):
        return _entity(row, reason.removeprefix("entity:"), state)
    if reason.startswith("category:"):
        column = reason.removeprefix("category:")
        return f"{CATEGORY_LABELS.get(column, column)} {_coded(row, column)}"
    return _simple(row, reason)


def lean(row: Row, reason: str, state: FeatureState) -> str | None:
    """Which way the fact a reason states points for one row: :func:`.explain.lean`'s."""
    if reason == "unit_value":
        ratio = _unit_ratio(row)
        if ratio is None:
            return None
        if ratio < FAR_BELOW:
            return RAISES
        return LOWERS if NEAR[0] <= ratio <= NEAR[1] else None
    if reason.startswith("entity:"):
        _, rate = _record(row, reason.removeprefix("entity:"), state)
        if rate is None or rate == state.prior:
            return None
        return RAISES if rate > state.prior else LOWERS
    if reason == "not_positive":
        return RAISES
    return None


def top_reasons(
    rows: Sequence[Row],
    grouped: npt.NDArray[np.float64],
    feature_names: list[str],
    state: FeatureState,
    *,
    top: int = 3,
    lowering: int = 2,
    method: str = "shap",
) -> list[list[dict[str, Any]]]:
    """:func:`.explain.top_reasons` for rows given as mappings (the one-row path's)."""
    families, _ = family_matrix(feature_names)
    order = _candidates(grouped, top)
    leans = np.empty((len(rows), len(families)), dtype=object)
    for r, row in enumerate(rows):
        for j in set(order[r].tolist()):
            leans[r, j] = lean(row, families[j], state)
    return [
        [
            {
                "reason": families[j],
                "label": label(families[j]),
                "effect": effect,
                "contribution": value,
                "text": sentence(row, families[j], state),
                "method": method,
            }
            for j, value, effect in _pick(r, grouped[r], order[r], leans, top, lowering)
        ]
        for r, row in enumerate(rows)
    ]


def contributions(model: RiskModel, rows: Sequence[Row]) -> npt.NDArray[np.float64]:
    """LightGBM's SHAP values for rows given as mappings (:func:`.model.contributions`')."""
    x = np.array(
        [[math.nan if (v := r.get(f)) is None else v for f in model.features] for r in rows],
        dtype=np.float64,
    )
    out = model.booster.predict(x, pred_contrib=True, num_threads=1)
    return np.asarray(out, dtype=np.float64)


def declaration_reasons(
    model: RiskModel,
    rows: Sequence[Row],
    flagged: Sequence[tuple[list[str], str, float]],
    profiles: Sequence[CompiledProfile] = (),
    top: int = 3,
) -> list[list[dict[str, Any]]]:
    """Each flagged declaration's reasons, as :func:`.scoring.attach_reasons` gives them:
    ``rows`` its riskiest item's features, ``flagged`` its (profile hits, selection, risk)."""
    if not rows:
        return []
    grouped = group_contributions(contributions(model, rows), model.features)
    why = top_reasons(rows, grouped, model.features, model.state, top=top)
    reason_text = {c.profile.name: c.profile.reason for c in profiles}
    return [
        declaration_reasons_of(hits, reason_text, selection, risk, w)
        for (hits, selection, risk), w in zip(flagged, why, strict=True)
    ]
