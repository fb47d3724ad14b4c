"""``borderlink risk``: train the model, score declarations, evaluate on files."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import Progress

from borderlink.cli.options import CLI, DbOption, node_for
from borderlink.services.refdata.load import snapshot
from borderlink.services.risk import CapacityPolicy, evaluation, models, spark
from borderlink.services.risk import score as service

app = typer.Typer(help="Risk model: train, score, evaluate.", no_args_is_help=True)
out = Console()
err = Console(stderr=True)

SinceOption = Annotated[
    dt.datetime | None, typer.Option("--since", formats=["%Y-%m-%d"], help="From this date.")
]
UntilOption = Annotated[
    dt.datetime | None, typer.Option("--until", formats=["%Y-%m-%d"], help="Up to this date.")
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print one JSON object on stdout.")]


class Engine(StrEnum):
    POLARS = "polars"
    SPARK = "spark"


EngineOption = Annotated[
    Engine,
    typer.Option(
        "--engine",
        help="polars: this process; spark: Apache Spark (pip install 'borderlink\\[spark]'), "
        "reading PostgreSQL over JDBC (a SQLite node through a Parquet export).",
    ),
]
MasterOption = Annotated[
    str | None,
    typer.Option(
        "--master", help="With --engine spark: local[N] or a cluster (default: settings)."
    ),
]


def _date(value: dt.datetime | None) -> dt.date | None:
    return value.date() if value else None


@app.command("train")
def train_cmd(
    db: DbOption = None,
    since: SinceOption = None,
    until: UntilOption = None,
    as_json: JsonOption = False,
    engine: EngineOption = Engine.POLARS,
    master: MasterOption = None,
) -> None:
    """Learn a model from stored declarations with inspection outcomes."""
    node = node_for(db)
    with out.status("training the risk model..."):
        if engine is Engine.SPARK:
            info = spark.train_spark(
                node, CLI, since=_date(since), until=_date(until), master=master
            )
        else:
            info = models.train(node, CLI, since=_date(since), until=_date(until))
    if as_json:
        print(json.dumps(asdict(info), default=str))
        return
    out.print(f"model [bold]{info.version}[/] trained on {info.n_train} items")
    out.print(f"window {info.trained_from} .. {info.trained_to}; saved at {info.path}")
    if info.metrics:
        out.print(f"held-out metrics: {json.dumps(info.metrics)}")


# long: a command's options are its signature (two engines, one set of options)
@app.command("score")
def score_cmd(
    db: DbOption = None,
    since: SinceOption = None,
    until: UntilOption = None,
    model: Annotated[str | None, typer.Option(help="Model version (default: newest).")] = None,
    red: Annotated[
        float | None, typer.Option(help="Share of each day's flow sent red (default: settings).")
    ] = None,
    yellow: Annotated[float | None, typer.Option(help="Share sent yellow.")] = None,
    random_share: Annotated[
        float | None, typer.Option("--random-share", help="Share of capacity drawn at random.")
    ] = None,
    seed: Annotated[int | None, typer.Option(help="Seed for the random draw.")] = None,
    rescore: Annotated[
        bool,
        typer.Option(
            "--rescore",
            "--all",
            help="Also score the history (inspected, released, or in the model's training "
            "window); what is decided is never referred again.",
        ),
    ] = False,
    as_json: JsonOption = False,
    engine: EngineOption = Engine.POLARS,
    master: MasterOption = None,
) -> None:
    """Score what is new: declarations not decided yet (not inspected, not released) that
    arrived after the model's training window and that this model has not scored (capacity
    per day)."""
    node = node_for(db)
    default = service.capacity(node)
    policy = CapacityPolicy(
        default.red_share if red is None else red,
        default.yellow_share if yellow is None else yellow,
        default.random_share if random_share is None else random_share,
    )
    if engine is Engine.SPARK:
        when = {"since": _date(since), "until": _date(until)}
        done = spark.score_batch_spark(
            node,
            CLI,
            **when,
            version=model,
            policy=policy,
            seed=seed,
            rescore=rescore,
            master=master,
        )
        _render_scored(done, as_json)
        return
    with Progress(console=Console(stderr=True), disable=as_json) as bar:
        task = bar.add_task("scoring days", total=None)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        summary = service.score_batch(
            node,
            CLI,
            since=_date(since),
            until=_date(until),
            version=model,
            policy=policy,
            seed=seed,
            progress=progress,
            rescore=rescore,
        )
    _render_scored(summary, as_json)


def _render_scored(summary: service.ScoreSummary, as_json: bool) -> None:
    if as_json:
        print(json.dumps(asdict(summary)))
        return
    out.print(f"scored {summary.scored} declarations with {summary.model_version}")
    out.print(", ".join(f"{k}: {v}" for k, v in summary.channels.items()))
    if summary.referred:
        referred = ", ".join(f"{k}: {v}" for k, v in sorted(summary.referred.items()))
        out.print(f"referred to other agencies: {referred}")


@app.command("evaluate")
def evaluate_cmd(
    train: Annotated[list[Path], typer.Option("--train", help="Training file (repeatable).")],
    test: Annotated[Path, typer.Option("--test", help="Test file.")],
    mapping: Annotated[str, typer.Option(help="Column mapping of the files.")] = "kcs",
    hs: Annotated[
        list[Path] | None,
        typer.Option("--hs", help="More HS nomenclature files (e.g. hs2017.csv), repeatable."),
    ] = None,
    db: DbOption = None,
) -> None:
    """Train on the train files, report P@n%, R@n% and AUC on the test file (JSON on stdout).

    Rows are validated with the node's reference data (HS editions loaded with
    ``borderlink refdata load hs``) plus any --hs files; refused rows are reported on stderr.
    """
    refdata = evaluation.with_hs_files(snapshot(node_for(db)), hs or [])
    result = evaluation.evaluate_files(
        train, test, mapping=mapping, refdata=refdata, warn=lambda m: err.print(f"warning: {m}")
    )
    print(json.dumps(result))
