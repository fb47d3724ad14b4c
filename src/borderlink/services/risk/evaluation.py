"""Evaluate the risk model on files: train on some, score a held-out one, report P@k and AUC.

The files go through ingest's validation (so a refused row is reported, not silently scored),
and nothing is stored: this is the analyst's and the benchmark's measuring stick.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from borderlink import risk
from borderlink.errors import InvalidInput
from borderlink.ingest import prepare_file
from borderlink.refdata import RefData, edition_from_name, parse_hs


@dataclass(frozen=True)
class FileRows:
    """The accepted rows of a file, and how many of its rows were refused (with why)."""

    frame: pl.DataFrame
    rows: int
    rejected: int
    errors: dict[str, int]


def read_file(path: Path, mapping: str | None = "kcs", refdata: RefData | None = None) -> FileRows:
    """A declarations file through :mod:`borderlink.ingest` (validated, canonical columns)."""
    chunks = list(prepare_file(Path(path), fmt="csv", mapping=mapping, refdata=refdata))
    errors: Counter[str] = Counter()
    for chunk in chunks:
        errors.update(chunk.errors)
    accepted = [c.accepted for c in chunks if c.accepted.height]
    if not accepted:
        raise InvalidInput(f"no usable rows in {path}")
    return FileRows(
        pl.concat(accepted, how="diagonal_relaxed"),
        sum(c.rows for c in chunks),
        sum(len(c.rejects) for c in chunks),
        dict(errors),
    )


def with_hs_files(refdata: RefData, hs_files: Sequence[Path]) -> RefData:
    """``refdata`` with more HS editions from nomenclature files (edition read from the name)."""
    editions = dict(refdata.hs)
    for path in hs_files:
        edition = edition_from_name(Path(path).name)
        if edition is None:
            raise InvalidInput(f"cannot tell the HS edition from the file name {path}")
        editions[edition] = frozenset(parse_hs(Path(path), edition)["code"].to_list())
    return dataclasses.replace(refdata, hs=editions)


def evaluate_files(
    train_paths: Sequence[Path],
    test_path: Path,
    *,
    mapping: str | None = "kcs",
    refdata: RefData | None = None,
    config: risk.ModelConfig | None = None,
    warn: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Train on the train files, score the test file; the evaluate command's JSON object.

    Files go through ingest validation with ``refdata`` (default: the built-in HS 2022 etc.);
    ``warn`` is told about refused rows (a test row refused is a row not evaluated).
    """
    parts = [read_file(p, mapping, refdata) for p in train_paths]
    test_rows = read_file(test_path, mapping, refdata)
    for path, part in [*zip(train_paths, parts, strict=True), (test_path, test_rows)]:
        if part.rejected and warn:
            warn(f"{path}: {part.rejected} of {part.rows} rows refused by validation {part.errors}")
    train_frame = pl.concat([p.frame for p in parts], how="diagonal_relaxed")
    test = test_rows.frame
    # the test file is the held-out period: no inner time split needed
    model = risk.train(train_frame, config or risk.ModelConfig(validation_months=0))
    items = risk.score_items(model, test)
    decls = risk.scoring.to_declarations(items)
    labels = (
        test.group_by("declaration_id")
        .agg(pl.col("illicit").cast(pl.Int8).max())
        .join(decls, on="declaration_id", how="inner")
    )
    cfg = model.config
    name = (
        f"lightgbm {cfg.rounds} rounds, {cfg.params.get('num_leaves')} leaves, "
        f"{len(model.features)} features ({cfg.features.scheme} target encoding, "
        f"m={cfg.features.smoothing})"
    )
    return risk.report(labels["illicit"].to_numpy(), labels["model_score"].to_numpy(), model=name)
