"""The learned risk model: LightGBM over :mod:`borderlink.risk.features`.

Train, predict, save, load.

A :class:`RiskModel` carries everything scoring needs: the booster, the feature state (entity
histories, unit-value references, categorical levels), the feature list, the training window,
the time-aware validation metrics, and a version id derived from the sha256 of its files.

Training is time-aware: the last ``validation_months`` months are held out, a model trained on
the older months is measured on them (those are the recorded metrics), then the final model is
trained on everything with the same settings.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
import threading
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, cast

import lightgbm as lgb
import numpy as np
import numpy.typing as npt
import polars as pl

from borderlink.errors import IntegrityFailure, InvalidInput, NotFound
from borderlink.risk import evaluate
from borderlink.risk.features import (
    FeatureConfig,
    FeatureState,
    categorical_feature_names,
    feature_names,
    training_features,
    transform,
)
from borderlink.risk.lookup import SMALL_FRAME, FeatureIndex, build_index, transform_small

FORMAT = "borderlink-risk-model/1"

DEFAULT_PARAMS: Mapping[str, Any] = MappingProxyType(
    {
        "objective": "binary",
        "learning_rate": 0.1,
        "num_leaves": 31,
        "max_depth": 6,
        "min_data_in_leaf": 50,
        "feature_fraction": 0.7,
        "bagging_fraction": 0.8,
        "bagging_freq": 1,
        "lambda_l2": 1.0,
        "cat_smooth": 10,
        "seed": 1,
        "verbose": -1,
    }
)


@dataclass(frozen=True)
class ModelConfig:
    """Everything that decides a model besides its data (the package default is tuned on the
    public KCS data, train 2020 → valid 2021-Q1)."""

    features: FeatureConfig = field(default_factory=FeatureConfig)
    params: dict[str, Any] = field(default_factory=lambda: dict(DEFAULT_PARAMS))
    rounds: int = 200
    validation_months: int = 2
    threads: int = 0  # 0: LightGBM's default (all cores)


@dataclass
class RiskModel:
    booster: lgb.Booster
    state: FeatureState
    features: list[str]
    categorical: list[str]
    trained_from: dt.date | None
    trained_to: dt.date | None
    n_train: int
    metrics: dict[str, Any]
    config: ModelConfig
    version: str = ""
    sha256: str = ""
    cache: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)
    # Guards ``cache``: two first requests at once build the lookup index once.
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)


def _labels(frame: pl.DataFrame, label: str) -> npt.NDArray[np.float64]:
    return frame[label].cast(pl.Float64).fill_null(0.0).to_numpy()


def matrix(model: RiskModel, features: pl.DataFrame) -> npt.NDArray[np.float64]:
    """The model's input matrix for a :func:`featurize` frame."""
    return _matrix(features, model.features)


def _matrix(features: pl.DataFrame, names: list[str]) -> npt.NDArray[np.float64]:
    # every feature is numeric, so numpy's common type is float64 (null → NaN)
    out = features.select(names).to_numpy(order="c")
    return np.ascontiguousarray(out, dtype=np.float64)


def _fit(
    frame: pl.DataFrame, config: ModelConfig, label: str
) -> tuple[lgb.Booster, FeatureState, list[str]]:
    train_x, state = training_features(frame, config=config.features, label=label)
    names = feature_names(config.features)
    params = dict(config.params)
    if config.threads:
        params["num_threads"] = config.threads
    data = lgb.Dataset(
        _matrix(train_x, names),
        label=_labels(train_x, label),
        feature_name=names,
        categorical_feature=categorical_feature_names(),
        free_raw_data=True,
    )
    booster = lgb.train(params, data, num_boost_round=config.rounds)
    return booster, state, names


def _month(col: str) -> pl.Expr:
    date = pl.col(col).cast(pl.Date)
    return date.dt.year().cast(pl.Int32) * 12 + date.dt.month().cast(pl.Int32)


def time_split(frame: pl.DataFrame, months: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(older, newer): the newest ``months`` calendar months are the newer part."""
    month = frame.select(_month("declared_on")).to_series()
    cut = int(frame.select(_month("declared_on").max()).item() or 0) - months
    return frame.filter(month <= cut), frame.filter(month > cut)


MIN_TRAINING_ROWS = 50  # labelled rows a model learns from, at the least (both outcomes among them)
TOO_FEW_ROWS = f"training needs at least {MIN_TRAINING_ROWS} labelled rows with both outcomes"


def train(
    frame: pl.DataFrame, config: ModelConfig | None = None, *, label: str = "illicit"
) -> RiskModel:
    """Train on labelled canonical rows (needs ``declared_on`` and the ``label`` column)."""
    config = config or ModelConfig()
    if label not in frame.columns:
        raise InvalidInput(f"training data has no {label!r} column", field=label)
    frame = frame.filter(pl.col(label).is_not_null())
    if frame.height < MIN_TRAINING_ROWS or frame[label].cast(pl.Int8).n_unique() < 2:
        raise InvalidInput(TOO_FEW_ROWS)
    metrics: dict[str, Any] = {}
    if config.validation_months > 0:
        older, newer = time_split(frame, config.validation_months)
        if older.height >= 50 and newer.height > 0 and older[label].n_unique() == 2:
            booster, state, names = _fit(older, config, label)
            scores = booster.predict(_matrix(transform(newer, state), names))
            metrics = evaluate.report(_labels(newer, label), scores)
            metrics["validation"] = f"last {config.validation_months} month(s) held out"
    booster, state, names = _fit(frame, config, label)
    dates = frame["declared_on"].cast(pl.Date)
    return RiskModel(
        booster=booster,
        state=state,
        features=names,
        categorical=categorical_feature_names(),
        trained_from=dates.min(),  # type: ignore[arg-type]
        trained_to=dates.max(),  # type: ignore[arg-type]
        n_train=frame.height,
        metrics=metrics,
        config=config,
    )


def feature_index(model: RiskModel) -> FeatureIndex:
    """The model's state arranged for point lookups, built on first use and kept with the model."""
    index = model.cache.get("index")
    if index is None:
        with model.lock:  # two first requests at once build it once
            index = model.cache.get("index")
            if index is None:
                index = model.cache["index"] = build_index(model.state)
    return cast(FeatureIndex, index)


def featurize(model: RiskModel, frame: pl.DataFrame) -> pl.DataFrame:
    """The prepared frame with the model's features (statistics from training history only)."""
    if frame.height <= SMALL_FRAME:
        return transform_small(frame, model.state, feature_index(model))
    return transform(frame, model.state)


def _predict_params(rows: int) -> dict[str, Any]:
    # A few rows take microseconds on one thread; waking LightGBM's thread pool for them costs
    # milliseconds, and in a server those threads fight the request threads for the cores.
    return {"num_threads": 1} if rows <= SMALL_FRAME else {}


def predict(model: RiskModel, features: pl.DataFrame) -> npt.NDArray[np.float64]:
    """Probability of illicit for each row of a :func:`featurize` frame."""
    x = _matrix(features, model.features)
    out = model.booster.predict(x, **_predict_params(len(x)))
    return np.asarray(out, dtype=np.float64)


def contributions(model: RiskModel, features: pl.DataFrame) -> npt.NDArray[np.float64]:
    """LightGBM's own SHAP values (log-odds), one column per feature plus the bias last."""
    x = _matrix(features, model.features)
    out = model.booster.predict(x, pred_contrib=True, **_predict_params(len(x)))
    return np.asarray(out, dtype=np.float64)


# --- persistence -------------------------------------------------------------------------------


def _meta(model: RiskModel) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "features": model.features,
        "categorical": model.categorical,
        "trained_from": model.trained_from.isoformat() if model.trained_from else None,
        "trained_to": model.trained_to.isoformat() if model.trained_to else None,
        "n_train": model.n_train,
        "metrics": model.metrics,
        "prior": model.state.prior,
        "categories": model.state.categories,
        "config": {
            "features": asdict(model.config.features),
            "params": model.config.params,
            "rounds": model.config.rounds,
            "validation_months": model.config.validation_months,
        },
    }


def _digest(directory: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(p for p in directory.rglob("*") if p.is_file()):
        if path.name == "manifest.json":
            continue
        h.update(path.relative_to(directory).as_posix().encode())
        h.update(b"\0")
        h.update(path.read_bytes())
    return h.hexdigest()


def save(model: RiskModel, models_dir: Path) -> Path:
    """Write the model under ``models_dir/<version>/``; sets and returns its version and hash.

    The version id is ``rm-<end of training window>-<first 12 hex of sha256>``: the same model
    saved twice gets the same version.
    """
    staging = models_dir / f".staging-{dt.datetime.now(dt.UTC):%Y%m%d%H%M%S%f}"
    (staging / "state").mkdir(parents=True)
    (staging / "booster.txt").write_text(model.booster.model_to_string())
    (staging / "meta.json").write_text(json.dumps(_meta(model), indent=1, sort_keys=True))
    for name, table in model.state.entities.items():
        table.write_parquet(staging / "state" / f"entity-{name}.parquet")
    for name, table in model.state.references.items():
        table.write_parquet(staging / "state" / f"reference-{name}.parquet")
    digest = _digest(staging)
    end = model.trained_to.strftime("%Y%m%d") if model.trained_to else "0"
    version = f"rm-{end}-{digest[:12]}"
    (staging / "manifest.json").write_text(json.dumps({"version": version, "sha256": digest}))
    target = models_dir / version
    if target.exists():
        shutil.rmtree(staging)
    else:
        staging.rename(target)
    model.version, model.sha256 = version, digest
    return target


def load(path: Path) -> RiskModel:
    """Read a saved model, refusing one whose files no longer match its recorded hash."""
    if not (path / "manifest.json").is_file():
        raise NotFound(f"no risk model at {path}")
    manifest = json.loads((path / "manifest.json").read_text())
    digest = _digest(path)
    if digest != manifest["sha256"]:
        raise IntegrityFailure(f"risk model {manifest['version']} does not match its sha256")
    meta = json.loads((path / "meta.json").read_text())
    cfg = meta["config"]
    fcfg = cfg["features"]
    features = FeatureConfig(**{**fcfg, "entities": tuple(fcfg["entities"])})
    config = ModelConfig(
        features=features,
        params=cfg["params"],
        rounds=cfg["rounds"],
        validation_months=cfg["validation_months"],
    )
    entities = {
        name: pl.read_parquet(path / "state" / f"entity-{name}.parquet")
        for name in features.entities
    }
    references = {
        p.stem.removeprefix("reference-"): pl.read_parquet(p)
        for p in sorted((path / "state").glob("reference-*.parquet"))
    }
    state = FeatureState(meta["prior"], entities, references, meta["categories"], features)
    booster = lgb.Booster(model_str=(path / "booster.txt").read_text())

    def _date(value: str | None) -> dt.date | None:
        return dt.date.fromisoformat(value) if value else None

    return RiskModel(
        booster=booster,
        state=state,
        features=meta["features"],
        categorical=meta["categorical"],
        trained_from=_date(meta["trained_from"]),
        trained_to=_date(meta["trained_to"]),
        n_train=meta["n_train"],
        metrics=meta["metrics"],
        config=config,
        version=manifest["version"],
        sha256=manifest["sha256"],
    )
