"""Scoring a few declarations without Polars frames: the one-row path.

A flow of thousands goes through :func:`borderlink.risk.scoring.score_items` (joins and
expressions over whole columns). One declaration submitted by an officer would pay that path's
fixed cost (frames, query plans, a thread pool woken per step: several milliseconds) for a
handful of values. Here the same steps run on plain Python values:

* :func:`prepare_row` derives the columns :func:`~borderlink.risk.features.prepare` derives;
* :class:`RowIndex` holds the model's statistics tables as sorted arrays of key hashes (Python's
  own ``hash`` of the key tuple, stable within the process that built it; the index is never
  saved), so each of the ~20 entity and reference lookups is one binary search;
* profiles run as the plain functions :mod:`borderlink.risk.rowexpr` compiles them to;
* the model predicts all the items at once, on one thread.

:func:`score_rows` gives, per declaration, what :func:`~borderlink.risk.scoring.to_declarations`
gives over :func:`~borderlink.risk.scoring.score_items` (the tests hold the two equal on many
generated declarations): the riskiest item's scores and index, the union of the profile hits
(sorted by name) and the strongest forced channel.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, cast

import numpy as np
import numpy.typing as npt
import polars as pl

from borderlink.risk.features import (
    CATEGORICALS,
    ENTITY_KEYS,
    KEY_COLUMNS,
    REFERENCES,
    FeatureState,
)
from borderlink.risk.model import RiskModel
from borderlink.risk.profiles import CompiledProfile
from borderlink.risk.rowexpr import divide, multiply

_STRING_COLUMNS = tuple(c for c in dict.fromkeys((*KEY_COLUMNS, *CATEGORICALS)) if c != "hs2")
_BOOLEANS = ("value_not_positive", "mass_not_positive", "route_transit", "hs_older_edition")
_REFERENCE_VALUES = ("ref_n", "ref_med", "ref_mean", "ref_std")


def _text(item: Mapping[str, Any], column: str) -> str:
    value = item.get(column)
    return "" if value is None else str(value)


def _number(item: Mapping[str, Any], column: str) -> float | None:
    value = item.get(column)
    return None if value is None else float(value)


def _log_pos(value: float | None) -> float | None:
    """log of a positive number; None for zero, negative, None, NaN or infinite."""
    if value is None or not math.isfinite(value) or value <= 0:
        return None
    return math.log(value)


def prepare_row(item: Mapping[str, Any]) -> dict[str, Any]:
    """One item's prepared columns, as :func:`~borderlink.risk.features.prepare` makes them."""
    row = dict(item)
    for column in _STRING_COLUMNS:
        row[column] = _text(item, column)
    source = "hs_code_current" if "hs_code_current" in item else "hs_code"
    hs = item.get(source)
    hs = item.get("hs_code") if hs is None else hs
    hs6 = "" if hs is None else str(hs)[:6]
    value = _number(item, "value_reporting") if "value_reporting" in item else None
    value = _number(item, "value") if value is None else value
    mass = _number(item, "net_mass_kg")
    duty = _number(item, "duty_rate")
    departure, origin = row["departure_country"], row["origin_country"]
    row.update(
        hs6=hs6,
        hs4=hs6[:4],
        hs2=hs6[:2],
        duty_rate=duty,
        net_mass_kg=mass,
        _value=value,
        hs_older_edition="hs_older_edition" in _text(item, "flags"),
        log_value=_log_pos(value),
        log_mass=_log_pos(mass),
        log_unit_value=_log_pos(divide(value, mass)),
        log_duty_at_risk=_log_pos(divide(multiply(value, duty), 100.0)),
        value_not_positive=None if value is None else value <= 0,
        mass_not_positive=None if mass is None else mass <= 0,
        route_transit=departure != origin and departure != "",
    )
    return row


@dataclass(frozen=True)
class _Table:
    hashes: npt.NDArray[np.int64]  # sorted
    values: list[tuple[float, ...]]  # one per hash, same order; NaN for null

    def find(self, key: tuple[str, ...]) -> tuple[float, ...] | None:
        if not len(self.hashes):
            return None
        wanted = hash(key)
        at = int(np.searchsorted(self.hashes, wanted))
        if at < len(self.hashes) and int(self.hashes[at]) == wanted:
            return self.values[at]
        return None


def _table(frame: pl.DataFrame, keys: Sequence[str], columns: Sequence[str]) -> _Table:
    key_lists = [frame[k].cast(pl.Utf8).to_list() for k in keys]
    hashes = np.fromiter(
        (hash(key) for key in zip(*key_lists, strict=True)), dtype=np.int64, count=frame.height
    )
    order = np.argsort(hashes, kind="stable")
    values = frame.select(pl.col(c).cast(pl.Float64).fill_null(math.nan) for c in columns)
    rows = values.rows()
    return _Table(np.ascontiguousarray(hashes[order]), [rows[i] for i in order.tolist()])


@dataclass(frozen=True)
class RowIndex:
    """A model's feature state arranged for one-row lookups (see the module docstring)."""

    entities: dict[str, _Table]  # n, pos
    references: dict[str, _Table]  # ref_n, ref_med, ref_mean, ref_std
    categories: dict[str, dict[str, int]]


def build_row_index(state: FeatureState) -> RowIndex:
    """About a second per million keys; kept with the model (:func:`row_index`)."""
    entities = {
        name: _table(state.entities[name], ENTITY_KEYS[name], ("n", "pos"))
        for name in state.config.entities
    }
    references = {
        name: _table(state.references[name], keys, _REFERENCE_VALUES)
        for name, keys in REFERENCES.items()
    }
    categories = {
        c: {v: i for i, v in enumerate(state.categories.get(c, []))} for c in CATEGORICALS
    }
    return RowIndex(entities, references, categories)


def row_index(model: RiskModel) -> RowIndex:
    """The model's :class:`RowIndex`, built on first use and kept in the model's cache."""
    index = model.cache.get("row_index")
    if index is None:
        with model.lock:  # two first requests at once build it once
            index = model.cache.get("row_index")
            if index is None:
                index = model.cache["row_index"] = build_row_index(model.state)
    return cast(RowIndex, index)


def _null(value: float) -> float | None:
    return None if math.isnan(value) else value


def _exp(value: float | None) -> float | None:
    return None if value is None else math.exp(value)


def features_row(row: dict[str, Any], state: FeatureState, index: RowIndex) -> dict[str, Any]:
    """``row`` (from :func:`prepare_row`) with the model's features added, as
    :func:`~borderlink.risk.features.transform` adds them."""
    m = state.config.smoothing
    smoothing = m * state.prior
    for name in state.config.entities:
        found = index.entities[name].find(tuple(row[k] for k in ENTITY_KEYS[name]))
        n = 0.0 if found is None or math.isnan(found[0]) else found[0]
        pos = 0.0 if found is None or math.isnan(found[1]) else found[1]
        row[f"te_{name}"] = (pos + smoothing) / (n + m)
        row[f"n_{name}"] = n
    luv = row["log_unit_value"]
    for name, keys in REFERENCES.items():
        ref = index.references[name].find(tuple(row[k] for k in keys))
        ref_n, med, mean, std = (None,) * 4 if ref is None else tuple(map(_null, ref))
        row[f"uv_ratio_{name}"] = None if luv is None or med is None else math.exp(luv - med)
        row[f"uv_z_{name}"] = (
            None if luv is None or mean is None else (luv - mean) / max(std or 0.05, 0.05)
        )
        row[f"ref_n_{name}"] = 0.0 if ref_n is None else ref_n
        row[f"ref_median_uv_{name}"] = _exp(med)
    for c in CATEGORICALS:
        row[f"cat_{c}"] = index.categories[c].get(row[c])
    for b in _BOOLEANS:
        value = row[b]
        row[b] = None if value is None else float(value)
    return row


@dataclass(frozen=True)
class ScoredItem:
    row: dict[str, Any]  # prepared columns, features and model_score
    model_score: float
    hits: tuple[str, ...]  # names of the profiles that fired, sorted
    profile_weight: float
    forced_channel: str | None
    risk: float


@dataclass(frozen=True)
class ScoredDeclaration:
    declaration_id: str
    item: int  # index (in the items given) of the riskiest item
    model_score: float
    risk: float
    profile_hits: list[str]
    forced_channel: str | None


def score_items_rows(
    model: RiskModel, items: Sequence[Mapping[str, Any]], profiles: Sequence[CompiledProfile]
) -> list[ScoredItem]:
    """Each item scored: features, the model's score, profiles and the combined risk."""
    if not items:
        return []
    index = row_index(model)
    rows = [features_row(prepare_row(item), model.state, index) for item in items]
    x = np.array(
        [[math.nan if (v := r[f]) is None else v for f in model.features] for r in rows],
        dtype=np.float64,
    )
    scores = np.asarray(model.booster.predict(x, num_threads=1), dtype=np.float64).tolist()
    ordered = sorted(profiles, key=lambda c: c.profile.name)
    keep = [math.log1p(-min(c.profile.weight, 0.999999)) for c in ordered]
    out: list[ScoredItem] = []
    sums: list[float] = []
    fired: list[list[int]] = []
    for row, score in zip(rows, scores, strict=True):
        row["model_score"] = score
        hit = [i for i, c in enumerate(ordered) if c.condition.row(row)]
        total = 0.0
        for i in hit:
            total += keep[i]
        sums.append(total)
        fired.append(hit)
    weights = (1.0 - np.exp(np.array(sums, dtype=np.float64))).tolist()
    for row, score, hit, weight in zip(rows, scores, fired, weights, strict=True):
        channels = {ordered[i].profile.channel for i in hit}
        forced = "red" if "red" in channels else "yellow" if "yellow" in channels else None
        risk = 1.0 - (1.0 - score) * (1.0 - weight)
        names = tuple(ordered[i].profile.name for i in hit)
        out.append(ScoredItem(row, score, names, weight, forced, risk))
    return out


_FORCE: Mapping[str, int] = MappingProxyType({"red": 2, "yellow": 1})


def to_declarations_rows(
    items: Sequence[Mapping[str, Any]], scored: Sequence[ScoredItem]
) -> list[ScoredDeclaration]:
    """One per declaration, in first-seen order: its riskiest item (the first of equals)."""
    best: dict[str, int] = {}
    hits: dict[str, set[str]] = {}
    force: dict[str, int] = {}
    for i, (item, s) in enumerate(zip(items, scored, strict=True)):
        key = str(item["declaration_id"])
        if key not in best or s.risk > scored[best[key]].risk:
            best[key] = i
        hits.setdefault(key, set()).update(s.hits)
        force[key] = max(force.get(key, 0), _FORCE.get(s.forced_channel or "", 0))
    names = {2: "red", 1: "yellow", 0: None}
    return [
        ScoredDeclaration(
            key,
            i,
            scored[i].model_score,
            scored[i].risk,
            sorted(hits[key]),
            names[force[key]],
        )
        for key, i in best.items()
    ]


def score_rows(
    model: RiskModel, items: Sequence[Mapping[str, Any]], profiles: Sequence[CompiledProfile] = ()
) -> tuple[list[ScoredItem], list[ScoredDeclaration]]:
    """Items and declarations scored (see the module docstring); items are mappings of the
    canonical item-level columns, as :func:`~borderlink.risk.scoring.score_items` takes rows."""
    scored = score_items_rows(model, items, profiles)
    return scored, to_declarations_rows(items, scored)
