"""Synthetic customs declarations for tests, demos and benchmarks.

This is test and demo data, not part of the declaration path: nothing that handles real
declarations (``ingest``, ``risk``, their services) imports it. It draws a small world from a
seed (offices, importers with habits, customs brokers, foreign exporters, HS 2022 goods with
reference prices and duties, trade remedies) and samples declarations from it, planting
misdeclarations with ground truth: undervaluation, origin switching, misclassification, and
high-risk traders who repeat them. Outcome labels (``illicit``, ``severity``) carry the noise of
real inspection records: some planted cases are missed, a few clean ones are found illicit.

Offers :func:`declarations` (chunks of canonical rows), :func:`generate` (one frame),
:func:`build_world` / :class:`World` (the ground truth: reference prices, traders),
:func:`exchange_rates`, the writers :func:`write_csv` and :func:`write_json` (our ``wco-json``),
and :func:`corrupt` (a deliberately broken CSV with its answer key).
"""

from borderlink.demo.corrupt import BREAKAGES, DUPLICATES, corrupt
from borderlink.demo.sampler import (
    CANONICAL_COLUMNS,
    DEFAULT_START,
    PARTY_COLUMNS,
    PATTERNS,
    TRUTH_COLUMNS,
    declarations,
    exchange_rates,
    generate,
)
from borderlink.demo.world import World, build_world
from borderlink.demo.writers import FILE_COLUMNS, Written, nested, write_csv, write_json

__all__ = [
    "BREAKAGES",
    "CANONICAL_COLUMNS",
    "DEFAULT_START",
    "DUPLICATES",
    "FILE_COLUMNS",
    "PARTY_COLUMNS",
    "PATTERNS",
    "TRUTH_COLUMNS",
    "World",
    "Written",
    "build_world",
    "corrupt",
    "declarations",
    "exchange_rates",
    "generate",
    "nested",
    "write_csv",
    "write_json",
]
