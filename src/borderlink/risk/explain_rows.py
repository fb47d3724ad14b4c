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
from typing import Any, cast

import numpy as np
import numpy.typing as npt

from borderlink.model.labels import PREVIOUS, PROCEDURES, TRANSPORT_MODES
from borderlink.model.messages import CATEGORY_LABELS, MESSAGES, render
from borderlink.risk.explain import (
    FAR_BELOW,
    LOWERS,
    NEAR,
    RAISES,
    family_matrix,
    label,
)
from borderlink.risk.features import ENTITY_KEYS, FeatureState
from borderlink.risk.model import RiskModel
from borderlink.risk.profiles import CompiledProfile
from borderlink.risk.reasons import LEAN_CODES, candidates, pick

Row = Mapping[str, Any]
Said = dict[str, Any]  # a message: {"key", "params"} (borderlink.model.messages)
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


def _count(value: float | None) -> int | None:
    return None if value is None else round(value)


def _exp(value: float | None) -> float | None:
    if value is None:
        return None
    try:
        return math.exp(value)
    except OverflowError:
        return math.inf


def _say(key: str, **params: Any) -> Said:
    """A message, without the params a row has no value for (as the flow path stores it)."""
    kept = {name: value for name, value in params.items() if value is not None}
    return {"key": key, "params": kept} if kept else {"key": key}


def _hs(row: Row) -> str:
    code = _str(row, "hs6")
    return f"{code[:4]}.{code[4:6]}" if len(code) == 6 else code


def _against_usual(ratio: float) -> Said:
    below, above = _count((1 - ratio) * 100), _count((ratio - 1) * 100)
    if ratio >= 2:
        return _say("usual.times", times=round(ratio, 1))
    if below == 0:
        return _say("usual.same")
    return _say("usual.below", pct=below) if ratio < 1 else _say("usual.above", pct=above)


def _unit_ratio(row: Row) -> float | None:
    pair = _f64(row, "uv_ratio_hs6_x_origin")
    return pair if pair is not None else _f64(row, "uv_ratio_hs6")


def _unit_value(row: Row) -> Said:
    hs6, origin = _hs(row), _str(row, "origin_country")
    pair, code = _f64(row, "uv_ratio_hs6_x_origin"), _f64(row, "uv_ratio_hs6")
    log_uv = _f64(row, "log_unit_value")
    if pair is not None:
        n = _count(_f64(row, "ref_n_hs6_x_origin") or 0.0)
        return _say("unit_value.pair", against=_against_usual(pair), hs=hs6, origin=origin, n=n)
    if code is not None:
        n = _count(_f64(row, "ref_n_hs6") or 0.0)
        return _say("unit_value.code", against=_against_usual(code), hs=hs6, n=n, origin=origin)
    if log_uv is None:
        return _say("unit_value.none")
    return _say("unit_value.few", value=round(math.exp(log_uv), 2), hs=hs6, origin=origin)


def _rarity(row: Row) -> Said:
    return _say(
        "rarity",
        n=_count(_f64(row, "ref_n_hs6_x_origin") or 0.0),
        hs=_hs(row),
        origin=_str(row, "origin_country"),
        n_any=_count(_f64(row, "ref_n_hs6") or 0.0),
    )


def _who(row: Row, name: str) -> Said:
    parts: dict[str, Any] = {}
    for i, key in enumerate(ENTITY_KEYS[name][:2]):
        parts["role2" if i else "role"] = _say(f"role.{key}")
        parts["id2" if i else "id"] = _hs(row) if key == "hs6" else _str(row, key)
    return _say("who.2" if "id2" in parts else "who.1", **parts)


def _record(row: Row, name: str, state: FeatureState) -> tuple[float, float | None]:
    """(past inspected declarations, the share found illicit) of the row's entity."""
    n = _f64(row, f"n_{name}") or 0.0
    te = _f64(row, f"te_{name}")
    if n < 1 or te is None:
        return n, None
    m = state.config.smoothing
    rate = (te * (n + m) - m * state.prior) / n
    return n, min(max(rate, 0.0), 1.0)


def _entity(row: Row, name: str, state: FeatureState) -> Said:
    who = _who(row, name)
    n, rate = _record(row, name, state)
    if rate is None:
        return _say("entity.none", who=who)
    found = _count(rate * n)
    if found == 0:
        return _say("entity.clean", who=who, n=_count(n))
    usual = int(f"{state.prior * 100:.0f}")
    return _say(
        "entity.found", who=who, found=found, n=_count(n), pct=_count(rate * 100), usual=usual
    )


def _word(prefix: str, code: str, words: Mapping[str, str]) -> Said | None:
    return {"key": f"{prefix}.{code}"} if code in words else None


def _coded(row: Row, column: str) -> Said | str:
    code = _str(row, column)
    as_is = _say("code", code=code)
    if column == "transport_mode":
        return _word("transport_mode", code, TRANSPORT_MODES) or as_is
    if column == "procedure":
        asked = _word("procedure", code[:2], PROCEDURES)
        if asked is None:
            return as_is
        before = _word("previous", code[2:4], {k: v for k, v in PREVIOUS.items() if v})
        if before is not None:
            return _say("procedure.named_before", asked=asked, before=before, code=code)
        return _say("procedure.named", asked=asked, code=code)
    return code


def _flag(row: Row, column: str) -> bool:
    return (_f64(row, column) or 0.0) > 0


def _simple(row: Row, reason: str) -> Said | None:
    origin, hs6 = _str(row, "origin_country"), _hs(row)
    if reason == "log_value":
        value = _exp(_f64(row, "log_value"))
        return _say("value.missing") if value is None else _say("value", value=_count(value))
    if reason == "log_mass":
        mass = _exp(_f64(row, "log_mass"))
        return _say("mass.missing") if mass is None else _say("mass", mass=round(mass, 1))
    if reason == "duty":
        rate = _f64(row, "duty_rate")
        at_risk = _count(_exp(_f64(row, "log_duty_at_risk")))
        if at_risk is None:
            return _say("duty.none", rate=rate)
        return _say("duty", rate=rate, at_risk=at_risk)
    if reason == "route_transit":
        if _flag(row, "route_transit"):
            return _say("route.transit", departure=_str(row, "departure_country"), origin=origin)
        return _say("route.direct", origin=origin)
    if reason == "hs_older_edition":
        return _say("hs.older" if _flag(row, "hs_older_edition") else "hs.current", hs=hs6)
    if reason == "not_positive":
        return _say("not_positive")
    return None


def message(row: Row, reason: str, state: FeatureState) -> Said | None:
    """One reason (a family name) for one row as a message (:func:`.wording.message`'s; None:
    the reason has no message, its text is its name)."""
    if reason == "unit_value":
        return _unit_value(row)
    if reason == "rarity":
        return _rarity(row)
    if reason.startswith("entity:"):
        return _entity(row, reason.removeprefix("entity:"), state)
    if reason.startswith("category:"):
        column = reason.removeprefix("category:")
        what = _say(f"category.{column}") if column in CATEGORY_LABELS else column
        return _say("category", what=what, value=_coded(row, column))
    return _simple(row, reason)


def said(row: Row, reason: str, state: FeatureState) -> dict[str, Any]:
    """One reason for one row as a reason keeps it: ``{"text", "key", "params"}``; the English
    text is the message said in English, :func:`.wording.sentence`'s (a duty without a rate
    says "?", a param its message does not keep)."""
    found = message(row, reason, state)
    if found is None:
        return {"text": reason}
    if reason == "duty" and _f64(row, "duty_rate") is None:
        return {
            "text": render({**found, "params": {**found.get("params", {}), "rate": "?"}})
        } | found
    return {"text": render(found), **found}


def sentence(row: Row, reason: str, state: FeatureState) -> str:
    """One reason for one row as an English sentence: :func:`.wording.sentence`'s."""
    text: str = said(row, reason, state)["text"]
    return text


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
    families: Sequence[str] | None = None,
) -> list[list[dict[str, Any]]]:
    """:func:`.explain.top_reasons` for rows given as mappings (the one-row path's);
    ``families``: :func:`.explain.family_matrix`'s for ``feature_names``, if known."""
    if families is None:
        families, _ = family_matrix(feature_names)
    leans = np.zeros((len(rows), len(families)), dtype=np.uint8)
    for r, (row, order) in enumerate(zip(rows, candidates(grouped, top), strict=True)):
        for j in set(order.tolist()):
            leans[r, j] = LEAN_CODES.get(lean(row, families[j], state) or "", 0)
    picks = pick(grouped, leans, top, lowering)
    out: list[list[dict[str, Any]]] = [[] for _ in rows]
    for r, j, value, up in zip(
        picks.row.tolist(),
        picks.family.tolist(),
        picks.contribution.tolist(),
        picks.raises.tolist(),
        strict=True,
    ):
        out[r].append(
            {
                "reason": families[j],
                "label": label(families[j]),
                "effect": RAISES if up else LOWERS,
                "contribution": value,
                **said(rows[r], families[j], state),
                "method": method,
            }
        )
    return out


def contributions(model: RiskModel, rows: Sequence[Row]) -> npt.NDArray[np.float64]:
    """LightGBM's SHAP values for rows given as mappings (:func:`.model.contributions`')."""
    x = np.array(
        [[math.nan if (v := r.get(f)) is None else v for f in model.features] for r in rows],
        dtype=np.float64,
    )
    out = model.booster.predict(x, pred_contrib=True, num_threads=1)
    return np.asarray(out, dtype=np.float64)


def _family_matrix(model: RiskModel) -> tuple[list[str], npt.NDArray[np.float64]]:
    """The model's :func:`.explain.family_matrix`, made once and kept in the model's cache
    (it took a third of a flagged declaration's reasons, made twice per call)."""
    found = model.cache.get("family_matrix")
    if found is None:
        with model.lock:
            found = model.cache.get("family_matrix")
            if found is None:
                found = model.cache["family_matrix"] = family_matrix(model.features)
    return cast(tuple[list[str], npt.NDArray[np.float64]], found)


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
    families, indicator = _family_matrix(model)
    contrib = contributions(model, rows)[:, : len(model.features)]
    grouped = np.asarray(contrib @ indicator, dtype=np.float64)  # as group_contributions sums
    why = top_reasons(rows, grouped, model.features, model.state, top=top, families=families)
    reason_text = {c.profile.name: c.profile.reason for c in profiles}
    return [
        declaration_list(hits, reason_text, selection, risk, w)
        for (hits, selection, risk), w in zip(flagged, why, strict=True)
    ]


def _selected(source: str, key: str, risk: float) -> dict[str, Any]:
    """What selected a declaration, as :func:`.scoring.attach_reasons` says it."""
    said = {"key": key, "params": {"risk": round(risk, 2)}}
    return {"source": source, "text": MESSAGES[key] % {"risk": f"{risk:.2f}"}, **said}


def declaration_list(
    hits: list[str],
    reason_text: dict[str, str],
    selection: str,
    risk: float,
    why: list[dict[str, Any]],
) -> list[dict[str, Any]]:
    """A random draw first, then the profiles that fired, or else the risk that selected it,
    then what raised and lowered the model's score."""
    reasons: list[dict[str, Any]] = []
    if selection == "random":
        reasons.append(_selected("random", "selection.random", risk))
    reasons += [{"source": "profile", "profile": h, "text": reason_text.get(h, h)} for h in hits]
    if selection == "risk" and not hits:
        reasons.append(_selected("model", "selection.risk", risk))
    return reasons + [{"source": "model", **r} for r in why]
