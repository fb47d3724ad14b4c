"""Risk profiles: an analyst's condition, a weight or a forced channel, and a reason.

Profiles are data (:class:`Profile`). :func:`active` keeps those that may fire on a date
(enabled, inside ``valid_from``..``valid_to``, both inclusive); :func:`apply_profiles` evaluates
them all at once over a feature frame as vectorised Polars expressions and adds:

* ``profile_hits``: list of the names of the profiles that fired on the row;
* ``profile_weight``: the combined weight, ``1 - Π(1 - w)`` over the hits (a noisy-OR, in [0, 1]);
* ``forced_channel``: "red" if a hit forces red, else "yellow" if one forces yellow, else null.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import polars as pl
import pyarrow as pa  # type: ignore[import-untyped]  # no stubs; only ListArray used
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from borderlink.risk.expressions import DERIVED, Compiled, compile_expression

Channel = Literal["green", "yellow", "red"]


class Profile(BaseModel):
    """One version of an analyst's risk profile."""

    model_config = ConfigDict(frozen=True)

    name: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")
    expression: str = Field(min_length=1, max_length=4000)
    weight: float = Field(default=0.0, ge=0.0, le=1.0)
    channel: Literal["yellow", "red", "blue"] | None = None  # blue: see risk.blue
    reason: str = Field(min_length=1, max_length=500)
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    owner: str = Field(default="analyst", min_length=1, max_length=64)
    enabled: bool = True
    version: int = Field(default=1, ge=1)

    @field_validator("expression")
    @classmethod
    def _parses(cls, text: str) -> str:
        compile_expression(text)  # raises ExpressionError with the position
        return text

    @model_validator(mode="after")
    def _window(self) -> Profile:
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            raise ValueError("valid_to is before valid_from")
        if self.weight == 0 and self.channel is None:
            raise ValueError("a profile needs a weight > 0 or a channel")
        return self

    def is_active(self, on: dt.date) -> bool:
        if not self.enabled:
            return False
        if self.valid_from and on < self.valid_from:
            return False
        return not (self.valid_to and on > self.valid_to)


def active(profiles: Iterable[Profile], on: dt.date) -> list[Profile]:
    """The profiles that may fire on ``on``: enabled and inside their validity window."""
    return [p for p in profiles if p.is_active(on)]


@dataclass(frozen=True)
class CompiledProfile:
    profile: Profile
    condition: Compiled


def compile_profiles(profiles: Sequence[Profile]) -> list[CompiledProfile]:
    return [CompiledProfile(p, compile_expression(p.expression)) for p in profiles]


def _missing_columns(frame: pl.DataFrame, conditions: Sequence[Compiled]) -> list[pl.Expr]:
    needed = set().union(*(c.columns for c in conditions)) if conditions else set()
    present = set(frame.columns)
    return [
        pl.lit(None, dtype=pl.Float64).alias(col) for col in sorted(needed - present - set(DERIVED))
    ]


def condition_hits(frame: pl.DataFrame, conditions: Sequence[Compiled]) -> np.ndarray[Any, Any]:
    """Evaluate compiled conditions over the frame at once: a (rows x conditions) boolean matrix.

    A column a condition reads but the frame lacks counts as null, so that condition is false
    there. Profiles and agency routing rules (:mod:`borderlink.coordination`) both go through
    here: one boolean column per condition, evaluated in parallel by Polars.
    """
    if not conditions:
        return np.zeros((frame.height, 0), dtype=bool)
    base = frame.with_columns(_missing_columns(frame, conditions))
    hits = base.select([c.expr.alias(f"_c{i}") for i, c in enumerate(conditions)]).to_numpy()
    return np.asarray(hits, dtype=bool).reshape(frame.height, len(conditions))


def apply_profiles(frame: pl.DataFrame, compiled: Sequence[CompiledProfile]) -> pl.DataFrame:
    """Evaluate every profile over the frame at once; adds the three columns described above.

    Pass only :func:`active` profiles: this function does not look at dates. The hits are
    listed by profile name, whatever the order given, so a declaration's hits read the same
    in a flow and alone (:mod:`borderlink.risk.single`).
    """
    compiled = sorted(compiled, key=lambda c: c.profile.name)
    if not compiled:
        return frame.with_columns(
            pl.lit([], dtype=pl.List(pl.Utf8)).alias("profile_hits"),
            pl.lit(0.0).alias("profile_weight"),
            pl.lit(None, dtype=pl.Utf8).alias("forced_channel"),
        )
    # summarised with matrix operations (no Python loop over rows: only over the hits themselves)
    hits = condition_hits(frame, [c.condition for c in compiled])
    n = len(hits)
    rows, cols = np.nonzero(hits)  # row-major: rows ascending, so lists come out in order
    keep = np.array([math.log1p(-min(c.profile.weight, 0.999999)) for c in compiled])
    weight = 1.0 - np.exp(np.bincount(rows, weights=keep[cols], minlength=n))
    red = np.array([c.profile.channel == "red" for c in compiled])
    yellow = np.array([c.profile.channel == "yellow" for c in compiled])
    red_hit = np.zeros(n, dtype=bool)
    red_hit[rows[red[cols]]] = True
    yellow_hit = np.zeros(n, dtype=bool)
    yellow_hit[rows[yellow[cols]]] = True
    forced = np.where(red_hit, "red", np.where(yellow_hit, "yellow", ""))
    names = np.array([c.profile.name for c in compiled], dtype=object)
    offsets = np.concatenate([[0], np.cumsum(np.bincount(rows, minlength=n))]).astype(np.int32)
    lists = pa.ListArray.from_arrays(pa.array(offsets), pa.array(names[cols], type=pa.string()))
    return frame.with_columns(
        pl.Series("profile_hits", pl.from_arrow(lists), dtype=pl.List(pl.Utf8)),
        pl.Series("profile_weight", weight, dtype=pl.Float64),
        pl.Series("forced_channel", forced, dtype=pl.Utf8).replace("", None),
    )
