"""``borderlink demo``: a node with synthetic declarations, and where to look next."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn
from rich.table import Table

from borderlink.cli.exchange import partner_demo
from borderlink.cli.options import DbOption
from borderlink.demo.scenario import (
    DEFAULT_ITEMS,
    DEFAULT_SEED,
    DemoOptions,
    DemoReport,
    run_demo,
    stage_totals,
)
from borderlink.settings import Settings, get_settings

out = Console()
err = Console(stderr=True)


def demo(
    items: Annotated[
        int, typer.Option("--items", min=1, help="Synthetic goods items to generate.")
    ] = DEFAULT_ITEMS,
    seed: Annotated[int, typer.Option(help="Random seed: the same seed, the same data.")] = (
        DEFAULT_SEED
    ),
    data_dir: Annotated[
        Path | None,
        typer.Option("--dir", help="Data directory (default: BORDERLINK_DATA_DIR)."),
    ] = None,
    reset: Annotated[bool, typer.Option("--reset", help="Delete the node's data first.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    partners: Annotated[
        bool,
        typer.Option(
            help="Then start two partner nodes on loopback: a seizure at one flags a "
            "declaration at the other."
        ),
    ] = True,
    db: DbOption = None,
) -> None:
    """Start a node with a few thousand synthetic declarations (with planted misdeclarations)."""
    settings = get_settings()
    update: dict[str, object] = {}
    if data_dir is not None:
        update["data_dir"] = data_dir
    if db:
        update["db"] = db
    settings = settings.model_copy(update=update)
    options = DemoOptions(items=items, seed=seed, reset=reset)
    report = _run(settings, options, quiet=as_json and not err.is_terminal)
    flags = ""
    if db or data_dir is not None:
        flags = f" --db {report.database}"
    folder = Path(report.data_dir) / "partners" / dt.datetime.now(dt.UTC).strftime("%Y%m%d%H%M%S")
    if as_json:
        found = _as_dict(report, flags)
        if partners:  # the partners' assistance request and joint operation, reported too
            found |= partner_demo(folder, show=False)
        print(json.dumps(found, default=str))
        return
    render(report, flags)
    if partners:
        out.print("\n[bold]Two partner nodes[/] (Atlantis and Borduria, on loopback)")
        partner_demo(folder)


def _run(settings: Settings, options: DemoOptions, *, quiet: bool) -> DemoReport:
    """The demo run, with a progress bar per stage on stderr (none when ``quiet``)."""
    totals = stage_totals(options)
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=err,
        transient=True,
        disable=quiet,
    ) as bar:
        tasks: dict[str, TaskID] = {}

        def advance(stage: str, rows: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=totals.get(stage))
            bar.advance(tasks[stage], rows)

        return run_demo(settings, options, progress=advance)


def _command(command: str, flags: str) -> str:
    scoped = {"rejects", "ingest", "serve", "referrals"}
    return command + flags if command.split()[1] in scoped else command


def _as_dict(report: DemoReport, flags: str) -> dict[str, object]:
    return {
        "database": report.database,
        "data_dir": str(report.data_dir),
        "steps": {step.name: step.details for step in report.steps},
        "totals": report.totals,
        "next": [_command(command, flags) for command, _ in report.next_steps],
    }


def _render_risk(details: dict[str, object]) -> None:
    if "skipped" in details:
        out.print(f"risk model: skipped ({details['skipped']})")
        return
    channels = details.get("channels") or {}
    assert isinstance(channels, dict)
    out.print(
        f"risk model [bold]{details['model']}[/] (trained on declarations up to "
        f"{details['trained_until']}) scored {details['scored']:,} newer declarations: "
        f"[red]{channels.get('red', 0):,} red[/], [yellow]{channels.get('yellow', 0):,} yellow[/], "
        f"[green]{channels.get('green', 0):,} green[/]"
    )


def _render_referrals(details: dict[str, object]) -> None:
    if "skipped" in details:
        out.print(f"referrals: skipped ({details['skipped']})")
        return
    agencies = details.get("agencies") or {}
    assert isinstance(agencies, dict)
    per = ", ".join(f"{agency} {n:,}" for agency, n in sorted(agencies.items())) or "none new"
    out.print(
        f"{details['rules']} agency routing rules referred the flow since {details['since']}: "
        f"{per} (the demo agency officer works for {details['demo_agency']})"
    )


def _render_work(details: dict[str, object]) -> None:
    if "skipped" in details:
        out.print(f"inspections: skipped ({details['skipped']})")
        return
    answered = details.get("referrals_answered") or {}
    assert isinstance(answered, dict)
    out.print(
        f"officers inspected {details['inspected']:,} red and yellow declarations "
        f"({details['found_illicit']:,} found illicit) and agencies answered "
        f"{sum(answered.values()):,} referrals; the flow from {details['waiting_from']} "
        "waits in the targeting queue and the agencies' referrals"
    )


def _render_joint(details: dict[str, object]) -> None:
    if "skipped" in details:
        out.print(f"joint inspection: skipped ({details['skipped']})")
        return
    agencies = details.get("agencies") or []
    assert isinstance(agencies, list)
    out.print(
        f"joint inspection {details['joint_id']} of {details['declaration_id']} planned with "
        f"{', '.join(map(str, agencies))} for {details['scheduled_at']} "
        "(/joint-inspections)"
    )


def render(report: DemoReport, flags: str) -> None:
    totals = report.totals
    table = Table(title="BorderLink demo node", show_header=False)
    table.add_row("database", report.database)
    table.add_row("declarations", f"{totals['declarations']:,}")
    table.add_row("goods items", f"{totals['goods_items']:,}")
    table.add_row("traders", f"{totals['traders']:,}")
    table.add_row("offices", f"{totals['offices']:,}")
    table.add_row("origins / HS codes", f"{totals['origins']:,} / {totals['hs_codes']:,}")
    table.add_row("dates", f"{totals['first_date']} .. {totals['last_date']}")
    table.add_row("found illicit on inspection", f"{totals['inspected_illicit']:,}")
    table.add_row("[red]open rejects", f"{totals['open_rejects']:,}")
    out.print(table)
    renderers = {
        "risk": _render_risk,
        "referrals": _render_referrals,
        "work": _render_work,
        "joint_inspections": _render_joint,
    }
    for step in report.steps:
        if step.name in renderers:
            renderers[step.name](step.details)
        if step.name != "ingest":
            continue
        ingested = Table(title="This run's ingest")
        for column in ("file", "rows", "accepted", "rejected", "duplicates"):
            ingested.add_column(column, justify="left" if column == "file" else "right")
        for name, summary in step.details.items():
            ingested.add_row(
                name,
                *(f"{summary[k]:,}" for k in ("rows", "accepted", "rejected", "duplicates")),
            )
        out.print(ingested)
    for step in report.steps:
        if step.name == "accounts" and step.details:
            people = Table(title="Sign in to the pages (passwords shown once)")
            people.add_column("username")
            people.add_column("password")
            for username, password in step.details.items():
                people.add_row(username, password)
            out.print(people)
    out.print(
        "The data carry planted misdeclarations (undervaluation, origin switching, "
        "misclassification); the inspected history carries outcomes to learn from (an empty "
        "outcome means not inspected)."
    )
    out.print("\n[bold]Where to look next[/]")
    for command, what in report.next_steps:
        out.print(f"  [cyan]{_command(command, flags)}[/]\n      {what}")
