"""The training sandbox: a node of its own on the demo's synthetic data, with exercises.

``borderlink training start`` builds it in its own data directory (never the real node's): the
demo's generate, rates, ingest and accounts steps, then the built-in exercises (or a trainer's)
installed with the planted truth of the very rows ingested (the same seed draws the same
declarations), which the exercises are marked against. Running it again changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

from borderlink import demo as synth
from borderlink.demo.scenario import (
    DemoOptions,
    DemoReport,
    create_accounts,
    generate_files,
    ingest_files,
    load_exchange_rates,
    run_demo,
)
from borderlink.model import Exercise
from borderlink.services.accounts.access import Principal
from borderlink.services.capacity import exercises
from borderlink.services.node import open_node
from borderlink.settings import Settings

TRAINER = Principal.system("training")
SANDBOX_ITEMS = 10_000  # a few origin switches (goods under trade remedies only) among them
SANDBOX_SEED = 2027  # not the demo's: a sandbox beside a demo node holds other declarations


@dataclass(frozen=True)
class Sandbox:
    report: DemoReport
    exercises: list[exercises.ExerciseView]
    planted: dict[str, int]  # pattern -> declarations carrying it


def planted_truth(items: int, seed: int) -> pl.DataFrame:
    """``declaration_id, pattern, declared_on``: each declaration's planted patterns."""
    frame = synth.generate(items, seed)
    return (
        frame.filter(pl.col("pattern") != "")
        .select(
            pl.col("declaration_id").cast(pl.Utf8),
            pl.col("pattern").cast(pl.Utf8),
            pl.col("declared_on").cast(pl.Date),
        )
        .unique(subset=["declaration_id", "pattern"], maintain_order=True)
    )


def build_sandbox(
    settings: Settings,
    *,
    items: int = SANDBOX_ITEMS,
    seed: int = SANDBOX_SEED,
    authored: list[Exercise] | None = None,
    reset: bool = False,
) -> Sandbox:
    """Build (or bring up to date) the sandbox node in ``settings.data_dir``."""
    report = run_demo(
        settings,
        DemoOptions(items=items, seed=seed, reset=reset),
        steps=[generate_files, load_exchange_rates, ingest_files, create_accounts],
    )
    truth = planted_truth(items, seed)
    node = open_node(settings)
    try:
        installed = exercises.install_exercises(
            node,
            TRAINER,
            authored if authored is not None else exercises.builtin(),
            planted=truth.iter_rows(),
        )
    finally:
        node.engine.dispose()
    counts = truth.group_by("pattern").len().sort("pattern")
    return Sandbox(
        report=report,
        exercises=installed,
        planted=dict(zip(counts["pattern"].to_list(), counts["len"].to_list(), strict=True)),
    )


def sandbox_dir(base: Path) -> Path:
    """Where the sandbox goes by default: beside the node's data, never in it."""
    return base.parent / f"{base.name}-training"
