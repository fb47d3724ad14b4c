"""``borderlink training``: officers' training records, the training sandbox and its exercises.

The command line acts as the node's operator; ``--as USER`` reads (and attempts exercises) with
that user's rights. ``training start`` builds a sandbox node in its own data directory (default:
beside the node's, ``<data dir>-training``); point the other commands at it with ``--db``.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from borderlink.cli.options import CLI, DbOption, acting, node_for
from borderlink.demo.training import SANDBOX_ITEMS, SANDBOX_SEED, build_sandbox, sandbox_dir
from borderlink.model import TrainingRecord, TrainingResult
from borderlink.services.capacity import exercises, training
from borderlink.settings import get_settings

app = typer.Typer(
    help="Training: records, the sandbox (start) and its exercises.", no_args_is_help=True
)
out = Console()

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON on stdout.")]
AsOption = Annotated[str | None, typer.Option("--as", help="Act as this user.")]
DateOption = Annotated[dt.datetime | None, typer.Option(formats=["%Y-%m-%d"])]


def _day(value: dt.datetime | None) -> dt.date | None:
    return value.date() if value is not None else None


@app.command("record")
def record_cmd(
    username: str,
    course: Annotated[str, typer.Option(help="Course name, e.g. nii-level-2.")],
    completed: Annotated[dt.datetime, typer.Option(formats=["%Y-%m-%d"], help="Completed on.")],
    result: Annotated[TrainingResult, typer.Option(help="passed, failed or attended.")],
    certification: Annotated[str | None, typer.Option(help="What a pass certifies.")] = None,
    expires: DateOption = None,
    started: DateOption = None,
    score: Annotated[float | None, typer.Option(min=0, max=100)] = None,
    title: str | None = None,
    note: str | None = None,
    db: DbOption = None,
) -> None:
    """Record a course USER followed (the same record twice changes nothing)."""
    record = TrainingRecord(
        username=username,
        course=course,
        title=title,
        started_on=_day(started),
        completed_on=completed.date(),
        result=result,
        score=score,
        certification=certification,
        expires_on=_day(expires),
        note=note,
    )
    done = training.record_training(node_for(db), CLI, record)
    out.print(f"training record {done.record.record_id} for {username}: {done.change}")


@app.command("list")
def list_cmd(
    username: Annotated[str | None, typer.Argument(help="Whose (default: everyone's).")] = None,
    as_user: AsOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Training records, newest first."""
    node = node_for(db)
    found = training.list_records(node, acting(node, as_user), username)
    if as_json:
        print(json.dumps([r.model_dump(mode="json") for r in found]))
        return
    table = Table("id", "user", "course", "completed", "result", "score", "certifies", "expires")
    for r in found:
        table.add_row(
            str(r.record_id),
            r.username,
            r.course,
            str(r.completed_on),
            r.result.value + (" (withdrawn)" if r.withdrawn_at else ""),
            "" if r.score is None else f"{r.score:g}",
            r.certification or "",
            str(r.expires_on or ""),
        )
    out.print(table)


@app.command("withdraw")
def withdraw_cmd(
    record_id: int, reason: Annotated[str, typer.Option()], db: DbOption = None
) -> None:
    """Withdraw the certification a training record granted."""
    done = training.withdraw(node_for(db), CLI, record_id, reason)
    out.print(f"training record {done.record_id} of {done.username}: withdrawn")


@app.command("start")
def start_cmd(
    data_dir: Annotated[
        Path | None, typer.Option("--dir", help="Sandbox directory (default: <data dir>-training).")
    ] = None,
    items: Annotated[int, typer.Option(min=100, help="Synthetic goods items.")] = SANDBOX_ITEMS,
    seed: Annotated[int, typer.Option(help="The same seed, the same sandbox.")] = SANDBOX_SEED,
    exercises_file: Annotated[
        Path | None, typer.Option("--exercises", help="A trainer's exercises (YAML).")
    ] = None,
    reset: Annotated[bool, typer.Option("--reset", help="Start the sandbox over.")] = False,
    db: Annotated[
        str | None,
        typer.Option("--db", help="The sandbox's database URL (default: a SQLite file in --dir)."),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Build a training sandbox: a node of its own on synthetic data with planted patterns, and
    exercises marked against them."""
    settings = get_settings()
    folder = data_dir or sandbox_dir(Path(settings.data_dir))
    if db is not None and db == settings.db:
        raise typer.BadParameter(
            "the sandbox needs a database of its own, not the node's", param_hint="--db"
        )
    settings = settings.model_copy(update={"data_dir": folder, "db": db})
    authored = None
    if exercises_file is not None:
        authored = exercises.parse_file(exercises_file)
    box = build_sandbox(settings, items=items, seed=seed, authored=authored, reset=reset)
    db = box.report.database
    if as_json:
        print(
            json.dumps(
                {
                    "database": db,
                    "planted": box.planted,
                    "exercises": [e.model_dump(mode="json") for e in box.exercises],
                }
            )
        )
        return
    out.print(f"[bold]Training sandbox[/] at {db}")
    out.print("planted: " + ", ".join(f"{k} {v}" for k, v in box.planted.items()))
    table = Table("exercise", "kind", "window", "declarations", "pass mark")
    for e in box.exercises:
        table.add_row(
            e.exercise.name,
            e.exercise.kind.value,
            f"{e.window_from} to {e.window_to}",
            str(e.declarations),
            f"{e.exercise.pass_mark:g}",
        )
    out.print(table)
    out.print(
        f"Serve it: borderlink serve --db {db}  (sign in with a demo account, open /training)"
    )


@app.command("exercises")
def exercises_cmd(db: DbOption = None, as_json: JsonOption = False) -> None:
    """The exercises installed on this (sandbox) node."""
    found = exercises.list_exercises(node_for(db), CLI)
    if as_json:
        print(json.dumps([e.model_dump(mode="json") for e in found]))
        return
    for e in found:
        out.print(f"[bold]{e.exercise.name}[/] ({e.exercise.kind.value}): {e.exercise.title}")


@app.command("load")
def load_cmd(file: Path, db: DbOption = None) -> None:
    """Install a trainer's exercises (YAML) over the sandbox's planted truth."""
    for e in exercises.load_exercises_file(node_for(db), CLI, file):
        out.print(f"exercise [bold]{e.exercise.name}[/] installed ({e.declarations} declarations)")


@app.command("attempt")
def attempt_cmd(
    name: str,
    as_user: Annotated[str, typer.Option("--as", help="The trainee.")],
    answer: Annotated[
        str | None, typer.Option(help="Declaration ids, or a profile expression.")
    ] = None,
    answer_file: Annotated[Path | None, typer.Option(help="The answer, from a file.")] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Answer an exercise as a trainee: marked against the planted truth, into their record."""
    if (answer is None) == (answer_file is None):
        raise typer.BadParameter("give --answer or --answer-file")
    text = answer if answer is not None else Path(answer_file or "").read_text(encoding="utf-8")
    node = node_for(db)
    done = exercises.attempt(node, acting(node, as_user), name, text)
    if as_json:
        print(json.dumps(done.model_dump(mode="json")))
        return
    s = done.score
    verdict = "passed" if s.passed else "not passed"
    out.print(
        f"{name}: score {s.score:g} ({verdict}); {s.correct} of {s.expected} found, "
        f"{s.submitted} named; precision {s.precision:.2f}, recall {s.recall:.2f}"
    )
