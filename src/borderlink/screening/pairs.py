"""Labelled name pairs: score each pair, and measure a matcher on them (precision, recall, F1).

Used by ``borderlink screening compare`` and the benchmark that builds pairs from a list. Each
distinct name is normalised once per call, as a screening run normalises each party once.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

from borderlink.screening.normalise import Name, normalise
from borderlink.screening.similarity import THRESHOLD, similarity

TRUE_WORDS = frozenset({"1", "true", "yes", "y", "t", "match"})
FALSE_WORDS = frozenset({"0", "false", "no", "n", "f", "nomatch", "no_match", ""})


@dataclass(frozen=True, slots=True)
class Scored:
    name1: str
    name2: str
    schema: str | None
    score: float
    method: str
    match: bool
    label: bool | None = None


@dataclass(frozen=True)
class Quality:
    pairs: int
    labelled: int
    true_positives: int
    false_positives: int
    false_negatives: int
    true_negatives: int

    @property
    def precision(self) -> float:
        found = self.true_positives + self.false_positives
        return self.true_positives / found if found else 0.0

    @property
    def recall(self) -> float:
        real = self.true_positives + self.false_negatives
        return self.true_positives / real if real else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def public(self) -> dict[str, float | int]:
        return {
            **vars(self),
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
        }


def label_of(raw: str | None) -> bool | None:
    """A truth cell as a boolean (``1``/``true``/``match`` ...), None when absent."""
    if raw is None:
        return None
    word = raw.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return None if not word else False
    raise ValueError(f"not a label: {raw!r}")


def score_pairs(
    rows: Iterable[Mapping[str, str | None]],
    schema: str | None = None,
    threshold: float = THRESHOLD,
) -> Iterator[Scored]:
    """Each row (``name1``, ``name2``, optional ``schema`` and ``label``/``match``) scored."""
    seen: dict[tuple[str, str | None], Name] = {}

    def normal(text: str, of: str | None) -> Name:
        key = (text, of)
        found = seen.get(key)
        if found is None:
            found = seen[key] = normalise(text, of)
        return found

    for row in rows:
        of = row.get("schema") or schema
        a, b = row.get("name1") or "", row.get("name2") or ""
        sim = similarity(normal(a, of), normal(b, of))
        truth = row.get("label", row.get("match"))
        yield Scored(
            a, b, of, round(sim.score, 4), sim.method, sim.score >= threshold, label_of(truth)
        )


def quality(scored: Iterable[Scored]) -> Quality:
    counts = {"tp": 0, "fp": 0, "fn": 0, "tn": 0}
    pairs = 0
    for s in scored:
        pairs += 1
        if s.label is None:
            continue
        key = ("t" if s.match == s.label else "f") + ("p" if s.match else "n")
        counts[key] += 1
    labelled = sum(counts.values())
    return Quality(pairs, labelled, counts["tp"], counts["fp"], counts["fn"], counts["tn"])
