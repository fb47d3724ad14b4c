from __future__ import annotations

import numpy as np
import pytest

from borderlink.risk.evaluate import auc, precision_recall_at, report


def test_precision_takes_exactly_floor_of_n_percent() -> None:
    # 199 rows: P@1% takes floor(1.99) = 1 row, P@5% floor(9.95) = 9 rows
    scores = np.arange(199, 0, -1, dtype=float)
    labels = np.zeros(199)
    labels[[0, 2, 4]] = 1
    p1, r1 = precision_recall_at(labels, scores, 1)
    assert p1 == 1.0
    assert r1 == pytest.approx(1 / 3)
    p5, r5 = precision_recall_at(labels, scores, 5)
    assert p5 == pytest.approx(3 / 9)
    assert r5 == 1.0
    assert precision_recall_at(labels[:50], scores[:50], 1) == (0.0, 0.0)  # k = 0


def test_auc_matches_the_pairwise_definition() -> None:
    rng = np.random.default_rng(0)
    labels = rng.random(300) < 0.3
    scores = np.round(rng.random(300) + labels * 0.3, 1)  # with ties
    pos, neg = scores[labels], scores[~labels]
    pairs = (pos[:, None] > neg[None, :]).sum() + 0.5 * (pos[:, None] == neg[None, :]).sum()
    assert auc(labels, scores) == pytest.approx(pairs / (len(pos) * len(neg)))
    assert auc([0, 1], [0.1, 0.9]) == 1.0


def test_report_has_the_issue_shape() -> None:
    out = report([1, 0, 1, 0] * 50, list(range(200)), model="m")
    assert set(out) == {"n_test", "precision_at", "recall_at", "auc", "model"}
    precision_at = out["precision_at"]
    assert isinstance(precision_at, dict)
    assert set(precision_at) == {"1", "2", "5", "10"}
    assert out["n_test"] == 200
