"""Risk: analyst profiles, the learned model, scoring, explanations, channels, evaluation.

Pure functions over Polars frames in canonical columns (no database, no globals):

- :mod:`~borderlink.risk.features`: :func:`training_features` (out of fold), :func:`transform`
- :mod:`~borderlink.risk.model`: :func:`train`, :func:`predict`, :func:`save`, :func:`load`
- :mod:`~borderlink.risk.explain`: reasons in words from LightGBM's ``pred_contrib``
- :mod:`~borderlink.risk.expressions`: the safe profile expression language
- :mod:`~borderlink.risk.profiles`: :class:`Profile`, :func:`active`, :func:`apply_profiles`,
  :func:`condition_hits` (any compiled conditions over a frame)
- :mod:`~borderlink.risk.channels`: :func:`assign_channels` within capacity
- :mod:`~borderlink.risk.scoring`: :func:`score_flow`, the whole path for one flow
- :mod:`~borderlink.risk.single`: :func:`score_rows`, the same for a few declarations without
  frames (scoring on demand)
- :mod:`~borderlink.risk.evaluate`: P@n%, R@n%, AUC
"""

from borderlink.risk.channels import CapacityPolicy, assign_channels, quotas
from borderlink.risk.evaluate import auc, precision_recall_at, report
from borderlink.risk.expressions import Compiled, compile_expression
from borderlink.risk.features import FeatureConfig, FeatureState, training_features, transform
from borderlink.risk.model import ModelConfig, RiskModel, load, predict, save, train
from borderlink.risk.profiles import (
    CompiledProfile,
    Profile,
    active,
    apply_profiles,
    compile_profiles,
    condition_hits,
)
from borderlink.risk.scoring import score_flow, score_items
from borderlink.risk.single import score_rows

__all__ = [
    "CapacityPolicy",
    "Compiled",
    "CompiledProfile",
    "FeatureConfig",
    "FeatureState",
    "ModelConfig",
    "Profile",
    "RiskModel",
    "active",
    "apply_profiles",
    "assign_channels",
    "auc",
    "compile_expression",
    "compile_profiles",
    "condition_hits",
    "load",
    "precision_recall_at",
    "predict",
    "quotas",
    "report",
    "save",
    "score_flow",
    "score_items",
    "score_rows",
    "train",
    "training_features",
    "transform",
]
