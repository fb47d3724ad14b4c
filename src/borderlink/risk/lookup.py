"""Features for a handful of rows in constant time: the state as sorted hash tables.

:func:`borderlink.risk.features.transform` joins the rows against every statistics table of the
state. For a flow of thousands of rows that is the fastest way; for the one declaration an officer
submits it is not, because each of its ~30 joins scans a table with one row per importer, per
HS6 and origin, ... of the whole training history, so one score costs tens of milliseconds and grows
with the history. :class:`FeatureIndex` keeps each table as a sorted array of 64-bit key hashes
beside its values, so a lookup is a binary search; :func:`transform_small` gives the same frame as
``transform`` (the tests hold them equal).

Keys are hashed by Polars with a fixed seed in the process that built the index; the index is
never saved, so the hash only has to be stable within one process. Two keys of one table sharing
a 64-bit hash would swap statistics; at a million keys the chance is about 3e-8.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import polars as pl

from borderlink.risk.features import (
    CATEGORICALS,
    ENTITY_KEYS,
    REFERENCES,
    FeatureState,
    finish,
    prepare,
)

SEED = 20_261_123
# Up to this many rows, featurize through the index; above it, the joins are faster.
SMALL_FRAME = 256


@dataclass(frozen=True)
class _Table:
    hashes: npt.NDArray[np.uint64]  # sorted
    values: npt.NDArray[np.float64]  # one row per hash, in the same order; NaN for null

    def find(self, keys: npt.NDArray[np.uint64]) -> npt.NDArray[np.float64]:
        """The value rows of ``keys`` (NaN rows where a key is absent)."""
        out = np.full((len(keys), self.values.shape[1]), np.nan)
        if len(self.hashes) == 0:
            return out
        at = np.searchsorted(self.hashes, keys)
        at[at == len(self.hashes)] = 0
        hit = self.hashes[at] == keys
        out[hit] = self.values[at[hit]]
        return out


@dataclass(frozen=True)
class FeatureIndex:
    """A :class:`FeatureState` arranged for point lookups (build with :func:`build_index`)."""

    entities: dict[str, _Table]  # columns: n, pos
    references: dict[str, _Table]  # columns: ref_n, ref_med, ref_mean, ref_std
    categories: dict[str, dict[str, int]]


def _hash(keys: tuple[str, ...]) -> pl.Expr:
    return pl.struct(list(keys)).hash(seed=SEED)


def _table(frame: pl.DataFrame, keys: tuple[str, ...], columns: list[str]) -> _Table:
    hashes = frame.select(_hash(keys)).to_series().to_numpy()
    order = np.argsort(hashes, kind="stable")
    values = frame.select(pl.col(c).cast(pl.Float64) for c in columns).to_numpy()
    return _Table(
        np.ascontiguousarray(hashes[order]),
        np.ascontiguousarray(np.asarray(values, dtype=np.float64)[order]),
    )


def build_index(state: FeatureState) -> FeatureIndex:
    """Arrange the state for lookups: one pass over each table (about 0.1 s a million keys)."""
    entities = {
        name: _table(state.entities[name], ENTITY_KEYS[name], ["n", "pos"])
        for name in state.config.entities
    }
    references = {
        name: _table(state.references[name], keys, ["ref_n", "ref_med", "ref_mean", "ref_std"])
        for name, keys in REFERENCES.items()
    }
    categories = {
        c: {v: i for i, v in enumerate(state.categories.get(c, []))} for c in CATEGORICALS
    }
    return FeatureIndex(entities, references, categories)


def transform_small(frame: pl.DataFrame, state: FeatureState, index: FeatureIndex) -> pl.DataFrame:
    """What :func:`~borderlink.risk.features.transform` returns, by lookups instead of joins."""
    base = frame if "hs6" in frame.columns else prepare(frame)
    names = list(state.config.entities)
    hashed = base.select(
        *(_hash(ENTITY_KEYS[n]).alias(f"e_{n}") for n in names),
        *(_hash(keys).alias(f"r_{n}") for n, keys in REFERENCES.items()),
        pl.col("log_unit_value").cast(pl.Float64),
    )
    m = state.config.smoothing
    columns: dict[str, npt.NDArray[np.float64]] = {}
    for name in names:
        found = index.entities[name].find(hashed[f"e_{name}"].to_numpy())
        n = np.nan_to_num(found[:, 0], nan=0.0)
        pos = np.nan_to_num(found[:, 1], nan=0.0)
        columns[f"te_{name}"] = (pos + m * state.prior) / (n + m)
        columns[f"n_{name}"] = n
    luv = hashed["log_unit_value"].to_numpy().astype(np.float64)  # null → NaN
    with np.errstate(invalid="ignore", over="ignore"):
        for name in REFERENCES:
            ref = index.references[name].find(hashed[f"r_{name}"].to_numpy())
            ref_n, med, mean, std = ref[:, 0], ref[:, 1], ref[:, 2], ref[:, 3]
            columns[f"uv_ratio_{name}"] = np.exp(luv - med)
            columns[f"uv_z_{name}"] = (luv - mean) / np.fmax(std, 0.05)
            columns[f"ref_n_{name}"] = np.nan_to_num(ref_n, nan=0.0)
            columns[f"ref_median_uv_{name}"] = np.exp(med)
    # one frame for all the float columns (NaN is how numpy says null here)
    block = pl.DataFrame(
        np.column_stack(list(columns.values())),
        schema=list(columns),
        orient="row",
        nan_to_null=True,
    )
    codes = pl.DataFrame(
        {f"cat_{c}": [index.categories[c].get(v) for v in base[c].to_list()] for c in CATEGORICALS},
        schema=dict.fromkeys((f"cat_{c}" for c in CATEGORICALS), pl.Int32),
    )
    return finish(base.hstack(block).hstack(codes), state.config)
