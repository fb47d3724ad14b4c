"""Risk model use cases: train one from stored outcomes (now, or as a background job from the
models page: :func:`start_training`), load one, list them.

Loaded models are kept in the node's bounded cache (``node.runtime.models``); training a new
model releases the one it supersedes. Scoring (:mod:`.score`) and profile replay
(:mod:`.profiles`) both load their model here, so neither imports the other.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import polars as pl
from pydantic import BaseModel
from sqlalchemy import func, select

from borderlink import risk
from borderlink.errors import InvalidInput, NotFound
from borderlink.risk.model import MIN_TRAINING_ROWS, TOO_FEW_ROWS
from borderlink.services import jobs
from borderlink.services.accounts import audit
from borderlink.services.accounts.access import Permission, Principal, require
from borderlink.services.node import Node
from borderlink.services.risk._store import read_items
from borderlink.store.bulk import insert_ignore
from borderlink.store.risk_tables import risk_models
from borderlink.store.tables import goods_items, outcomes

# Training's steps, as its progress reports them: rows read, model learnt, model saved.
TRAINING_STEPS = 3
NOTHING_TO_LEARN = "no declarations with inspection outcomes to learn from"


@dataclass(frozen=True)
class ModelInfo:
    version: str
    sha256: str
    path: str
    trained_from: dt.date | None
    trained_to: dt.date | None
    n_train: int
    metrics: dict[str, Any]


class ModelView(BaseModel):
    version: str
    trained_from: dt.date | None
    trained_to: dt.date | None
    n_train: int
    features: list[str]
    metrics: dict[str, Any] | None
    created_by: str
    created_at: dt.datetime
    active: bool = False  # the model that scores now


# The active model: the one promoted or trained last (a promotion brings an older one back).
ACTIVE_ORDER = func.coalesce(risk_models.c.promoted_at, risk_models.c.created_at).desc()


MODEL_PATH = select(risk_models.c.version, risk_models.c.path)
# Built once: every score reads it, and SQLAlchemy keeps a statement's cache key on the statement.
ACTIVE_MODEL = MODEL_PATH.order_by(ACTIVE_ORDER).limit(1)


def models_dir(node: Node) -> Path:
    return node.settings.data_dir / "models"


def train(
    node: Node,
    principal: Principal,
    *,
    since: dt.date | None = None,
    until: dt.date | None = None,
    config: risk.ModelConfig | None = None,
    frame: pl.DataFrame | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ModelInfo:
    """Train on every stored declaration with an outcome (in the window), save and record it;
    ``frame``: those rows as another engine read them (``risk train --engine spark``);
    ``progress`` is told each step done (of :data:`TRAINING_STEPS`)."""
    require(principal, Permission.MODELS_MANAGE)
    step = progress or (lambda done, total: None)
    if frame is None:
        frame = read_items(node, since=since, until=until, labelled_only=True)
    if frame.height == 0:
        raise InvalidInput(NOTHING_TO_LEARN)
    step(1, TRAINING_STEPS)
    previous = _newest_version(node)
    model = risk.train(frame, config)
    step(2, TRAINING_STEPS)
    info = _record(node, principal, model)
    if previous is not None and previous != info.version:
        node.runtime.release_model(previous)  # scoring moves to the new model
    step(3, TRAINING_STEPS)
    return info


def _record(node: Node, principal: Principal, model: risk.RiskModel) -> ModelInfo:
    """Save a trained model to the node's models folder and record it (audited)."""
    path = risk.save(model, models_dir(node))
    info = ModelInfo(
        model.version,
        model.sha256,
        str(path),
        model.trained_from,
        model.trained_to,
        model.n_train,
        model.metrics,
    )
    with node.transaction() as conn:
        insert_ignore(
            conn,
            risk_models,
            [
                {
                    "version": info.version,
                    "sha256": info.sha256,
                    "path": info.path,
                    "trained_from": info.trained_from,
                    "trained_to": info.trained_to,
                    "n_train": info.n_train,
                    "features": model.features,
                    "metrics": _jsonable(model.metrics),
                    "config": _jsonable(asdict(model.config)),
                    "created_by": principal.username,
                    "created_at": dt.datetime.now(dt.UTC),
                }
            ],
        )
        audit.record(
            conn,
            actor=principal.username,
            action="risk.train",
            object_type="risk_model",
            object_id=info.version,
            details={"n_train": info.n_train, "metrics": _jsonable(model.metrics)},
        )
    return info


def _check_trainable(node: Node) -> None:
    """What :func:`risk.train` would refuse for want of outcomes, told from two counts."""
    labelled = goods_items.join(outcomes, outcomes.c.declaration_id == goods_items.c.declaration_id)
    with node.read() as conn:
        counts = conn.execute(
            select(outcomes.c.illicit, func.count())
            .select_from(labelled)
            .where(outcomes.c.illicit.is_not(None))
            .group_by(outcomes.c.illicit)
        ).all()
    if not counts:
        raise InvalidInput(NOTHING_TO_LEARN)
    if len(counts) < 2 or sum(n for _, n in counts) < MIN_TRAINING_ROWS:
        raise InvalidInput(TOO_FEW_ROWS)


def start_training(node: Node, principal: Principal) -> str:
    """Retrain on every outcome as a background job (:mod:`borderlink.services.jobs`): its id.

    Refused at once when the outcomes are too few to learn from (nothing to wait for)."""
    require(principal, Permission.MODELS_MANAGE)
    _check_trainable(node)

    def work(report: jobs.Report) -> dict[str, Any]:
        info = train(node, principal, progress=report)
        return {"version": info.version, "n_train": info.n_train}

    return jobs.start(
        node,
        principal,
        "retrain",
        work,
        title="risk model",
        unit="steps",
        total=TRAINING_STEPS,
    )


def _jsonable(value: Any) -> Any:
    """Plain JSON values; NaN and infinities (an AUC on a validation month without positives)
    become null, since PostgreSQL's json type has no NaN."""

    def finite(item: Any) -> Any:
        if isinstance(item, float) and not math.isfinite(item):
            return None
        if isinstance(item, dict):
            return {key: finite(inner) for key, inner in item.items()}
        if isinstance(item, list):
            return [finite(inner) for inner in item]
        return item

    return finite(json.loads(json.dumps(value, default=str)))


def _newest_version(node: Node) -> str | None:
    query = select(risk_models.c.version).order_by(ACTIVE_ORDER).limit(1)
    with node.read() as conn:
        found: str | None = conn.execute(query).scalar_one_or_none()
    return found


def load_model(node: Node, version: str | None = None) -> risk.RiskModel:
    """The named model version, or the active one (from the node's model cache).

    Not a use case of its own: the use cases that score call it, after their own checks.
    """
    query = MODEL_PATH.where(risk_models.c.version == version) if version else ACTIVE_MODEL
    with node.read() as conn:
        row = conn.execute(query).first()
    if row is None:
        raise NotFound(f"risk model {version}" if version else "no risk model trained yet")
    path = Path(row.path)
    # Models are immutable (hash-checked on load), so a cached one is the file's content.
    return node.runtime.models.get(row.version, lambda: risk.load(path))


def promote_model(node: Node, principal: Principal, version: str) -> str:
    """Make ``version`` the model that scores from now on (until another is trained or
    promoted); the one it replaces is released from the node's cache."""
    require(principal, Permission.MODELS_MANAGE)
    previous = _newest_version(node)
    with node.transaction() as conn:
        done = conn.execute(
            risk_models.update()
            .where(risk_models.c.version == version)
            .values(promoted_at=dt.datetime.now(dt.UTC), promoted_by=principal.username)
        )
        if done.rowcount == 0:
            raise NotFound(f"risk model {version} not found")
        audit.record(
            conn,
            actor=principal.username,
            action="risk.promote",
            object_type="risk_model",
            object_id=version,
            details={"replaces": previous},
        )
    if previous is not None and previous != version:
        node.runtime.release_model(previous)
    return version


def list_models(node: Node, principal: Principal) -> list[ModelView]:
    """Every recorded model, newest first; ``active`` marks the one that scores."""
    require(principal, Permission.PROFILES_READ)
    active = _newest_version(node)
    with node.read() as conn:
        rows = conn.execute(select(risk_models).order_by(risk_models.c.created_at.desc())).all()
    return [
        ModelView(
            version=r.version,
            trained_from=r.trained_from,
            trained_to=r.trained_to,
            n_train=r.n_train,
            features=list(r.features),
            metrics=r.metrics,
            created_by=r.created_by,
            created_at=r.created_at if r.created_at.tzinfo else r.created_at.replace(tzinfo=dt.UTC),
            active=r.version == active,
        )
        for r in rows
    ]
