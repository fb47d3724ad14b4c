"""Synthetic customs declarations for tests, demos and benchmarks.

This is test and demo data, not part of the declaration path: nothing in ``ingest``, ``risk``
or the services that handle real declarations imports it. It draws a small world from a seed
(offices, importers with habits, brokers, foreign exporters, HS 2022 goods with reference prices
and duties, trade remedies) and samples declarations from it, planting misdeclarations with
ground truth: undervaluation, origin switching, misclassification, repeat offenders.

Offers :func:`declarations` (chunks of canonical rows), :func:`generate` (one frame),
:func:`build_world` / :class:`World`, the writers :func:`write_csv` and :func:`write_json`
(our ``wco-json``), and :func:`corrupt` (a deliberately broken file with its answer key).
"""

from borderlink.synth.generate import (
    CANONICAL_COLUMNS,
    PARTY_COLUMNS,
    PATTERNS,
    TRUTH_COLUMNS,
    declarations,
    generate,
)
from borderlink.synth.world import World, build_world

__all__ = [
    "CANONICAL_COLUMNS",
    "PARTY_COLUMNS",
    "PATTERNS",
    "TRUTH_COLUMNS",
    "World",
    "build_world",
    "declarations",
    "generate",
]
