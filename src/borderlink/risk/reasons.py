"""Reasons as columns: which families each row states, and each reason as JSON text, built by
Polars expressions over whole columns (no Python per row).

:func:`pick` chooses, for every row at once, up to ``top`` families raising its score and up to
``lowering`` lowering it (strongest first, each kept only where its fact does not point the other
way, see :func:`borderlink.risk.explain.lean`). :func:`model_reasons` turns the picks into one
``List[Utf8]`` column of JSON objects: each family's sentence and message (key and params,
:mod:`borderlink.risk.wording`) are evaluated once, over only the rows that state it.
:func:`json_object` writes JSON as :func:`json.dumps` does (``", "`` and ``": "`` separators,
non-ASCII kept); a message's own key and params keep Polars' compact form (the same JSON).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, TypeAlias

import numpy as np
import numpy.typing as npt
import polars as pl
import pyarrow as pa  # type: ignore[import-untyped]  # no stubs; only ListArray used

from borderlink.risk import explain
from borderlink.risk.features import FeatureState

Field: TypeAlias = pl.Expr | str | float | int | bool | Mapping[str, "Field"] | None

# 0: the fact points neither way
LEAN_CODES: Mapping[str, int] = MappingProxyType({explain.RAISES: 1, explain.LOWERS: 2})


# --- JSON text from expressions -----------------------------------------------------------------


def json_value(expr: pl.Expr) -> pl.Expr:
    """Each value as JSON text (a string quoted and escaped, a number, ``null``), as
    :func:`json.dumps` writes it."""
    return pl.struct(expr.alias("v")).struct.json_encode().str.slice(5).str.head(-1)


def json_object(fields: Sequence[tuple[str, Field]] | Mapping[str, Field]) -> pl.Expr:
    """One JSON object per row, keys in the given order; a value is an expression, a constant
    or a mapping (a nested object)."""
    items = fields.items() if isinstance(fields, Mapping) else fields
    parts: list[pl.Expr] = []
    for i, (key, value) in enumerate(items):
        head = ("{" if i == 0 else ", ") + json.dumps(key, ensure_ascii=False) + ": "
        parts += [pl.lit(head), _json_field(value)]
    return pl.concat_str([*parts, pl.lit("}")]) if parts else pl.lit("{}")


def _json_field(value: Field) -> pl.Expr:
    if isinstance(value, pl.Expr):
        return json_value(value)
    if isinstance(value, Mapping):
        return json_object(value)
    return pl.lit(json.dumps(value, ensure_ascii=False))


def json_list(items: pl.Expr) -> pl.Expr:
    """A ``List[Utf8]`` of JSON texts as one JSON array."""
    return pl.format("[{}]", items.list.join(", "))


# --- rounding as Python rounds ------------------------------------------------------------------


def rounded(values: npt.NDArray[np.float64], digits: int) -> npt.NDArray[np.float64]:
    """``round(v, digits)`` for each value, vectorised: correctly rounded like Python (ties to
    even on the exact binary value). The few values whose scaled product lies within rounding
    error of a tie are rounded by Python itself."""
    values = np.asarray(values, dtype=np.float64)
    scale = 10.0**digits
    scaled = values * scale
    out = np.rint(scaled) / scale
    near_tie = np.abs(np.abs(scaled - np.trunc(scaled)) - 0.5) < 1e-6
    unsure = np.flatnonzero(near_tie | ~np.isfinite(scaled))
    out[unsure] = [round(float(v), digits) for v in values[unsure]]
    return out


def fixed(values: npt.NDArray[np.float64], digits: int) -> pl.Series:
    """``f"{v:.{digits}f}"`` for each finite value as text, vectorised (others as Python
    writes them)."""
    values = np.asarray(values, dtype=np.float64)
    finite = np.isfinite(values)
    scaled = np.rint(rounded(np.where(finite, values, 0.0), digits) * 10.0**digits)
    units = np.abs(scaled).astype(np.int64)
    frame = pl.DataFrame({"u": units, "neg": np.signbit(scaled) & (units > 0)})
    whole, part = pl.col("u") // 10**digits, pl.col("u") % 10**digits
    sign = pl.when(pl.col("neg")).then(pl.lit("-")).otherwise(pl.lit(""))
    text = (
        pl.format("{}{}.{}", sign, whole, part.cast(pl.Utf8).str.zfill(digits))
        if digits
        else pl.format("{}{}", sign, whole)
    )
    out = frame.select(text.alias("text")).to_series()
    odd = np.flatnonzero(~finite | (np.signbit(values) & (units == 0)))
    if len(odd):  # nan, inf and -0.00 as Python writes them
        out = out.scatter(odd, [f"{float(v):.{digits}f}" for v in values[odd]])
    return out


# --- which families each row states -------------------------------------------------------------


@dataclass(frozen=True)
class Picks:
    """The families stated, one entry per (row, reason), rows ascending and each row's
    reasons in order: raising strongest first, then lowering strongest first."""

    row: npt.NDArray[np.int64]
    family: npt.NDArray[np.int64]
    contribution: npt.NDArray[np.float64]  # signed log-odds, rounded to 4 places
    raises: npt.NDArray[np.bool_]

    def counts(self, rows: int) -> npt.NDArray[np.int64]:
        return np.bincount(self.row, minlength=rows)


def candidates(grouped: npt.NDArray[np.float64], top: int) -> npt.NDArray[np.int64]:
    """Per row, ``top`` and a few spare most raising families, then as many most lowering
    (spare for those whose fact runs against their sign)."""
    spare = top + 3
    order = np.argsort(-grouped, axis=1)
    return np.concatenate([order[:, :spare], order[:, ::-1][:, :spare]], axis=1)


def pick(
    grouped: npt.NDArray[np.float64],
    leans: npt.NDArray[np.uint8],
    top: int,
    lowering: int,
) -> Picks:
    """Up to ``top`` raising then ``lowering`` lowering families per row of ``grouped``
    (rows x families contributions), skipping a family whose lean (:func:`lean_codes`)
    points against its sign."""
    order = candidates(grouped, top)
    half = order.shape[1] // 2
    values = np.take_along_axis(grouped, order, axis=1)
    lean = np.take_along_axis(leans, order, axis=1)
    up = (values[:, :half] > 0) & (lean[:, :half] != LEAN_CODES[explain.LOWERS])
    down = (values[:, half:] < 0) & (lean[:, half:] != LEAN_CODES[explain.RAISES])
    up &= np.cumsum(up, axis=1) <= top
    down &= np.cumsum(down, axis=1) <= lowering
    rows, slots = np.nonzero(np.concatenate([up, down], axis=1))  # row-major: rows in order
    return Picks(
        row=rows.astype(np.int64),
        family=order[rows, slots].astype(np.int64),
        contribution=rounded(values[rows, slots], 4),
        raises=slots < half,
    )


def lean_codes(
    features: pl.DataFrame, families: Sequence[str], used: Sequence[int], state: FeatureState
) -> npt.NDArray[np.uint8]:
    """(rows x families) which way each row's fact points: 0 neither, 1 raises, 2 lowers;
    computed for the ``used`` families only, in one select."""
    out = np.zeros((features.height, len(families)), dtype=np.uint8)
    if not used or not features.height:
        return out
    columns = features.select(
        pl.len().alias("_n"),  # keeps the height where every lean is a constant
        *(
            explain.lean(features, families[j], state)
            .replace_strict(dict(LEAN_CODES), default=0, return_dtype=pl.UInt8)
            .alias(f"lean:{j}")
            for j in used
        ),
    )
    for j in used:
        out[:, j] = np.broadcast_to(columns[f"lean:{j}"].to_numpy(), features.height)
    return out


# --- the reasons as text ------------------------------------------------------------------------


def model_reasons(
    features: pl.DataFrame,
    grouped: npt.NDArray[np.float64],
    feature_names: list[str],
    state: FeatureState,
    *,
    top: int = 3,
    lowering: int = 2,
    method: str = "shap",
    source: str | None = None,
) -> pl.Series:
    """Per row of ``features``, its model reasons as a ``List[Utf8]`` of JSON objects
    ``{"reason", "label", "effect", "contribution", "text", "key", "params", "method"}``
    (with ``"source"`` first when given); see :func:`top_reasons`."""
    families, _ = explain.family_matrix(feature_names)
    used = sorted(set(candidates(grouped, top).ravel().tolist()))
    picks = pick(grouped, lean_codes(features, families, used, state), top, lowering)
    texts = _pick_texts(features, picks, families, state, method, source)
    offsets = np.concatenate([[0], np.cumsum(picks.counts(features.height))]).astype(np.int32)
    lists = pa.ListArray.from_arrays(pa.array(offsets), texts.to_arrow().cast(pa.large_string()))
    return pl.Series("reasons", pl.from_arrow(lists), dtype=pl.List(pl.Utf8))


def _pick_texts(
    features: pl.DataFrame,
    picks: Picks,
    families: Sequence[str],
    state: FeatureState,
    method: str,
    source: str | None,
) -> pl.Series:
    """One JSON object per pick, in pick order: each family's sentence is evaluated once, over
    the rows that state it (only the columns it reads)."""
    parts: list[pl.Series] = []
    positions: list[npt.NDArray[np.int64]] = []
    for j in np.unique(picks.family).tolist():
        at = np.flatnonzero(picks.family == j)
        text = explain.sentence(features, families[j], state)
        said = explain.message(features, families[j], state)
        roots = [*text.meta.root_names(), *said.meta.root_names()]
        needed = [c for c in dict.fromkeys(roots) if c in features.columns]
        rows = pl.DataFrame(
            {"_contribution": picks.contribution[at], "_raises": picks.raises[at]},
            schema={"_contribution": pl.Float64, "_raises": pl.Boolean},
        )
        if needed:
            rows = features.select(needed)[picks.row[at]].hstack(rows)
        fields = model_fields(families[j], text, method, source)
        reason = _with_message(json_object(fields[:-1]), said, fields[-1])
        parts.append(rows.select(reason.alias("reason")).to_series())
        positions.append(at)
    if not parts:
        return pl.Series("reason", [], dtype=pl.Utf8)
    order = np.argsort(np.concatenate(positions), kind="stable")
    return pl.concat(parts).gather(order)


def _with_message(head: pl.Expr, said: pl.Expr, last: tuple[str, Field]) -> pl.Expr:
    """``head`` (a JSON object) with the reason's message (``said``: its ``{"key", "params"}``
    as JSON text, null for a reason without one) spliced in before the ``last`` field."""
    inner = said.str.slice(1).str.head(-1)
    message = pl.when(said.is_null()).then(pl.lit("")).otherwise(pl.lit(", ") + inner)
    tail = ", " + json.dumps(last[0], ensure_ascii=False) + ": "
    return pl.concat_str(
        [head.str.head(-1), message, pl.lit(tail), _json_field(last[1]), pl.lit("}")]
    )


def model_fields(
    family: str, text: pl.Expr, method: str, source: str | None
) -> list[tuple[str, Field]]:
    """A model reason's fields, in order, over a frame with ``_contribution`` and ``_raises``."""
    effect = (
        pl.when(pl.col("_raises")).then(pl.lit(explain.RAISES)).otherwise(pl.lit(explain.LOWERS))
    )
    first: list[tuple[str, Field]] = [("source", source)] if source is not None else []
    return [
        *first,
        ("reason", family),
        ("label", explain.label(family)),
        ("effect", effect),
        ("contribution", pl.col("_contribution")),
        ("text", text),
        ("method", method),
    ]


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

    ``grouped`` holds the contributions per family (:func:`.explain.group_contributions`), in
    log-odds.
    Each reason is ``{"reason": family, "label": its short name, "effect": "raises" or
    "lowers", "contribution": signed log-odds, "text": sentence, "key" and "params": the same
    as a message (:mod:`borderlink.model.messages`), "method": method}``. A batch takes them
    as a column of JSON texts (:func:`model_reasons`).
    """
    column = model_reasons(
        features, grouped, feature_names, state, top=top, lowering=lowering, method=method
    )
    return [[json.loads(text) for text in row] for row in column.to_list()]
