"""Scoring labelled pairs: each row scored, precision/recall/F1 counted right."""

from __future__ import annotations

import pytest

from borderlink.screening.pairs import label_of, quality, score_pairs


def test_pairs_are_scored_and_counted() -> None:
    rows = [
        {"name1": "AL ZAWAHIRI, Ayman", "name2": "Ayman al-Zawahiri", "label": "1"},
        {"name1": "Acme Trading", "name2": "Zenith Shipping", "label": "0"},
        {"name1": "John Smith", "name2": "Jon Smith", "label": "true"},
        {"name1": "Abu Abbas", "name2": "Abu Hassan", "label": "1"},
        {"name1": "x", "name2": "y"},
    ]
    scored = list(score_pairs(rows))
    assert [s.match for s in scored] == [True, False, True, False, False]
    q = quality(scored)
    assert (q.pairs, q.labelled) == (5, 4)
    assert (q.true_positives, q.false_positives, q.false_negatives, q.true_negatives) == (
        2,
        0,
        1,
        1,
    )
    assert q.f1 == pytest.approx(0.8)


def test_a_label_that_is_not_one_is_an_error() -> None:
    with pytest.raises(ValueError, match="not a label"):
        label_of("maybe")
    assert label_of(None) is None
    assert label_of("No") is False
