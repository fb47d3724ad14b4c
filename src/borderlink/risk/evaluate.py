"""Quality metrics, exactly as the issue defines them.

Precision at n%: sort by score (descending), take exactly ``k = floor(N * n / 100)`` rows;
``P@n = illicit among them / k``; ``R@n = illicit among them / all illicit``. AUC is the
probability that a random illicit row scores above a random licit one (ties count half).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

DEFAULT_PERCENTS: tuple[int, ...] = (1, 2, 5, 10)


def _arrays(
    labels: Sequence[bool] | npt.ArrayLike, scores: Sequence[float] | npt.ArrayLike
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    y = np.asarray(labels, dtype=np.float64)
    s = np.asarray(scores, dtype=np.float64)
    if y.shape != s.shape or y.ndim != 1:
        raise ValueError("labels and scores must be 1-d and of equal length")
    return y, s


def top_k(n_rows: int, percent: float) -> int:
    return math.floor(n_rows * percent / 100)


def precision_recall_at(
    labels: npt.ArrayLike, scores: npt.ArrayLike, percent: float
) -> tuple[float, float]:
    """(P@n%, R@n%). Ties at the cut are broken by row order (stable sort)."""
    y, s = _arrays(labels, scores)
    k = top_k(len(y), percent)
    if k == 0:
        return 0.0, 0.0
    order = np.argsort(-s, kind="stable")[:k]
    hits = float(y[order].sum())
    total = float(y.sum())
    return hits / k, (hits / total if total else 0.0)


def auc(labels: npt.ArrayLike, scores: npt.ArrayLike) -> float:
    """ROC AUC through ranks (Mann-Whitney U), ties averaged."""
    y, s = _arrays(labels, scores)
    n_pos = float(y.sum())
    n_neg = float(len(y) - n_pos)
    if n_pos == 0 or n_neg == 0:
        return float("nan")
    order = np.argsort(s, kind="mergesort")
    ranks = np.empty(len(s), dtype=np.float64)
    sorted_s = s[order]
    # average ranks over ties
    _, first, counts = np.unique(sorted_s, return_index=True, return_counts=True)
    avg = first + (counts - 1) / 2.0 + 1.0
    ranks[order] = np.repeat(avg, counts)
    return float((ranks[y == 1].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def report(
    labels: npt.ArrayLike,
    scores: npt.ArrayLike,
    *,
    percents: Sequence[int] = DEFAULT_PERCENTS,
    model: str = "",
) -> dict[str, object]:
    """The evaluate command's JSON object."""
    y, s = _arrays(labels, scores)
    precision: dict[str, float] = {}
    recall: dict[str, float] = {}
    for n in percents:
        p, r = precision_recall_at(y, s, n)
        precision[str(n)] = round(p, 4)
        recall[str(n)] = round(r, 4)
    return {
        "n_test": len(y),
        "precision_at": precision,
        "recall_at": recall,
        "auc": round(auc(y, s), 4),
        "model": model,
    }
