"""Scoring a flow of declarations: model + profiles → risk → channel → reasons.

:func:`score_flow` is pure: a canonical item-level frame in, one row per declaration out. Items
are scored one by one (unit value, HS code and origin are item facts) and a declaration takes
the riskiest item's score and reasons, with the union of the profiles that fired on any item:
one bad item makes the whole consignment worth a look.

The combined risk is ``1 - (1 - model_score)(1 - profile_weight)``. Every red or yellow
declaration gets reasons: the profiles that fired (their reason text), the top model features
in words, and a note when it was drawn at random.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Literal

import numpy as np
import polars as pl

from borderlink.model import messages
from borderlink.risk import explain, reasons
from borderlink.risk.channels import CapacityPolicy, assign_channels
from borderlink.risk.model import RiskModel, contributions, featurize, matrix, predict
from borderlink.risk.paths import PathExplainer
from borderlink.risk.profiles import CompiledProfile, apply_profiles

ExplainMethod = Literal["auto", "shap", "path"]

# Up to this many flagged rows in a flow, reasons come from LightGBM's exact SHAP values
# (pred_contrib); above it, from path credits (see :mod:`borderlink.risk.paths`), which cost
# about as much as a prediction. Each reason records its method.
SHAP_LIMIT = 2000

OUTPUT_COLUMNS = (
    "declaration_id",
    "model_score",
    "risk",
    "profile_hits",
    "forced_channel",
    "channel",
    "selection",
    "reasons",  # JSON text: a list of {source, text, ...}; null when green
)


def score_items(
    model: RiskModel, frame: pl.DataFrame, profiles: Sequence[CompiledProfile] = ()
) -> pl.DataFrame:
    """Item-level features with ``model_score``, profile columns and the combined ``risk``."""
    feats = featurize(model, frame)
    feats = feats.with_columns(pl.Series("model_score", predict(model, feats)))
    feats = apply_profiles(feats, profiles)
    return feats.with_columns(
        (1.0 - (1.0 - pl.col("model_score")) * (1.0 - pl.col("profile_weight"))).alias("risk")
    )


def to_declarations(items: pl.DataFrame) -> pl.DataFrame:
    """One row per declaration: the riskiest item's scores (and its row index as ``_item``)."""
    indexed = items.with_row_index("_item")
    if indexed["declaration_id"].n_unique() == indexed.height:  # one item each: nothing to merge
        return indexed.select(
            "declaration_id", "_item", "model_score", "risk", "profile_hits", "forced_channel"
        )
    top = indexed.sort(["risk", "_item"], descending=[True, False]).unique(
        "declaration_id", keep="first", maintain_order=True
    )
    union = indexed.group_by("declaration_id").agg(
        pl.col("profile_hits")
        .list.explode(keep_nulls=False, empty_as_null=False)
        .unique()
        .sort()
        .alias("_hits"),
        pl.when(pl.col("forced_channel") == "red")
        .then(2)
        .when(pl.col("forced_channel") == "yellow")
        .then(1)
        .otherwise(0)
        .max()
        .alias("_force"),
    )
    out = top.select("declaration_id", "_item", "model_score", "risk").join(
        union, on="declaration_id", how="left"
    )
    return out.select(
        "declaration_id",
        "_item",
        "model_score",
        "risk",
        pl.col("_hits").alias("profile_hits"),
        pl.when(pl.col("_force") == 2)
        .then(pl.lit("red"))
        .when(pl.col("_force") == 1)
        .then(pl.lit("yellow"))
        .otherwise(pl.lit(None, dtype=pl.Utf8))
        .alias("forced_channel"),
    )


def attach_reasons(
    model: RiskModel,
    items: pl.DataFrame,
    decls: pl.DataFrame,
    profiles: Sequence[CompiledProfile] = (),
    top: int = 3,
    method: ExplainMethod = "auto",
) -> pl.DataFrame:
    """Add ``reasons`` (JSON text) to every red or yellow row of ``decls`` (null when green).

    ``items`` is :func:`score_items`' frame and ``decls`` :func:`to_declarations`' with a
    ``channel`` (and ``selection``) column. The reasons are built as columns, a JSON list per
    flagged declaration: what selected it first (a random draw, the profiles that fired), then
    what raised and lowered the model's score.
    """
    rows = decls.with_row_index("_d").filter(pl.col("channel") != "green")
    if rows.height == 0:
        return decls.with_columns(pl.lit(None, dtype=pl.Utf8).alias("reasons"))
    sub = items[rows["_item"].to_numpy()]
    if method == "auto":
        method = "shap" if sub.height <= SHAP_LIMIT else "path"
    if method == "shap":
        grouped = explain.group_contributions(contributions(model, sub), model.features)
    else:
        explainer = model.cache.get("paths")
        if explainer is None:
            explainer = model.cache["paths"] = PathExplainer(model.booster, model.features)
        grouped = explainer.grouped(model.booster, matrix(model, sub))
    why = reasons.model_reasons(
        sub, grouped, model.features, model.state, top=top, method=method, source="model"
    )
    risk = rows["risk"].cast(pl.Float64).to_numpy()
    risk_text, risk_value = reasons.fixed(risk, 2), pl.Series(reasons.rounded(risk, 2))
    shown = (why.alias("_why"), risk_text.alias("_risk"), risk_value.alias("_risk_value"))
    text = rows.with_columns(*shown).select("_d", _declaration_reasons(profiles).alias("reasons"))
    flagged = pl.Series(np.full(decls.height, None, dtype=object), dtype=pl.Utf8)
    flagged = flagged.scatter(text["_d"].to_numpy(), text["reasons"])
    return decls.with_columns(flagged.alias("reasons"))


def _selected(source: str, key: str) -> pl.Expr:
    """What selected a flagged row ("selected at random ...: its own risk is 0.12") as a JSON
    object: in English (``_risk``: the risk with two decimals) and as a message
    (:mod:`borderlink.model.messages`; ``_risk_value``: the risk rounded to two places)."""
    before, after = messages.MESSAGES[key].split("%(risk)s")
    text = pl.concat_str(pl.lit(before), pl.col("_risk"), pl.lit(after))
    return reasons.json_object(
        [
            ("source", source),
            ("text", text),
            ("key", key),
            ("params", {"risk": pl.col("_risk_value")}),
        ]
    )


def _declaration_reasons(profiles: Sequence[CompiledProfile]) -> pl.Expr:
    """The JSON list of a flagged row (with ``_why``: its model reasons, ``_risk``: its risk
    as text): a random draw first, then the profiles that fired, or else the risk that
    selected it, then what raised and lowered the model's score."""
    selection, hits = pl.col("selection"), pl.col("profile_hits").fill_null([])
    none = pl.lit([], dtype=pl.List(pl.Utf8))
    random = _selected("random", "selection.random")
    riskiest = _selected("model", "selection.risk")
    reason_text = {c.profile.name: c.profile.reason for c in profiles}
    hit = pl.element()
    said = hit.replace_strict(reason_text, default=hit, return_dtype=pl.Utf8)
    profile = reasons.json_object([("source", "profile"), ("profile", hit), ("text", said)])
    return reasons.json_list(
        pl.concat_list(
            pl.when(selection == "random").then(pl.concat_list(random)).otherwise(none),
            hits.list.eval(profile),
            pl.when((selection == "risk") & (hits.list.len() == 0))
            .then(pl.concat_list(riskiest))
            .otherwise(none),
            pl.col("_why"),
        )
    )


def score_flow(
    model: RiskModel,
    frame: pl.DataFrame,
    profiles: Sequence[CompiledProfile] = (),
    *,
    policy: CapacityPolicy | None = None,
    seed: int | None = None,
    top_reasons: int = 3,
    explain_method: ExplainMethod = "auto",
) -> pl.DataFrame:
    """Score one flow (e.g. a day) of item rows; one row per declaration, see OUTPUT_COLUMNS."""
    items = score_items(model, frame, profiles)
    decls = to_declarations(items)
    decls = assign_channels(decls, policy, seed=seed)
    decls = attach_reasons(model, items, decls, profiles, top_reasons, explain_method)
    return decls.select(OUTPUT_COLUMNS)


def score_flows(
    model: RiskModel,
    flows: Iterable[pl.DataFrame],
    profiles: Sequence[CompiledProfile] = (),
    *,
    policy: CapacityPolicy | None = None,
    seed: int | None = None,
    workers: int = 2,
) -> Iterator[pl.DataFrame]:
    """:func:`score_flow` over many flows, ``workers`` at a time, results in input order.

    LightGBM and Polars release the GIL, so one flow's prediction overlaps another's reasons
    (Python) and both cores stay busy; at most ``workers`` flows are in memory at once. Flow
    ``i`` draws its random share with ``seed + i``.
    """
    if workers <= 1:
        for i, flow in enumerate(flows):
            yield score_flow(model, flow, profiles, policy=policy, seed=_seed(seed, i))
        return
    with ThreadPoolExecutor(max_workers=workers) as pool:
        pending: deque[Future[pl.DataFrame]] = deque()
        for i, flow in enumerate(flows):
            pending.append(
                pool.submit(score_flow, model, flow, profiles, policy=policy, seed=_seed(seed, i))
            )
            if len(pending) >= workers:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


def _seed(seed: int | None, i: int) -> int | None:
    return None if seed is None else seed + i
