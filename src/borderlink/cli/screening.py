"""``borderlink screening``: compare name pairs; screen the parties; review the hits."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Annotated, cast

import typer
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn
from rich.table import Table

from borderlink.cli.options import CLI, DbOption, acting, node_for
from borderlink.services.screening import compare, hits, run

app = typer.Typer(help="Screening: compare name pairs, run, hits, decide.", no_args_is_help=True)
out = Console()
err = Console(stderr=True)

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON on stdout.")]


@app.command("compare")
def compare_cmd(
    pairs: Annotated[Path, typer.Argument(help="CSV with name1,name2[,schema][,label].")],
    schema: Annotated[
        str | None, typer.Option("--schema", help="Person, Company, Vessel, ... for every pair.")
    ] = None,
    threshold: Annotated[float, typer.Option(help="Score from which a pair is a match.")] = 0.86,
    output: Annotated[
        Path | None, typer.Option("--out", help="Write the scored rows here (default: stdout).")
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print a summary (F1 when labelled) as JSON.")
    ] = False,
) -> None:
    """Score each pair 0-1 and say whether it matches at the threshold; with a ``label`` (or
    ``match``) column, precision, recall and F1."""
    if output is not None:
        with output.open("w", encoding="utf-8", newline="") as stream:
            summary = compare.compare_file(pairs, stream, schema=schema, threshold=threshold)
    else:
        summary = compare.compare_file(
            pairs, None if as_json else sys.stdout, schema=schema, threshold=threshold
        )
    if as_json:
        print(json.dumps(asdict(summary)))
    elif output is not None:
        err.print(f"{summary.pairs} pairs, {summary.matches} matches → {output}")


@app.command("run")
def run_cmd(
    party: Annotated[
        list[str] | None, typer.Option("--party", help="Screen only this party (repeatable).")
    ] = None,
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Screen every party (and conveyance by IMO number) not screened since the lists last
    changed against every watchlist in force; hits are stored with their explanation."""
    node = node_for(db)
    with Progress(
        SpinnerColumn(),
        TextColumn("[bold]screening[/] {task.description}"),
        console=err,
        transient=True,
    ) as bar:
        task = bar.add_task("parties")
        summary = run.screen_parties(
            node,
            CLI,
            party_ids=party,
            progress=lambda n: bar.update(task, description=f"{n} parties"),
        )
    if as_json:
        print(json.dumps(asdict(summary)))
        return
    out.print(
        f"screened {summary.parties} parties against {summary.entries} entries: "
        f"{summary.hits} hits ({summary.new_hits} new, {summary.reopened} reopened)"
    )


@app.command("hits")
def hits_cmd(
    status: Annotated[str | None, typer.Option(help="open, confirmed or dismissed.")] = None,
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """The hits, best first, with what matched and how."""
    found = hits.list_hits(node_for(db), CLI, status)
    if as_json:
        print(json.dumps(found, default=str, ensure_ascii=False))
        return
    table = Table("hit", "party", "list", "entry", "score", "status", "explanation")
    for h in found:
        table.add_row(
            str(h["hit_id"]), h["party_id"], h["list_name"], h["entry_id"], f"{h['score']:.2f}",
            h["status"], h["explanation"],
        )  # fmt: skip
    out.print(table)


@app.command("decide")
def decide_cmd(
    hit_id: Annotated[int, typer.Argument(help="The hit.")],
    decision: Annotated[str, typer.Argument(help="confirm or dismiss.")],
    reason: Annotated[str, typer.Option("--reason", help="Why (kept in the audit log).")],
    as_user: Annotated[str | None, typer.Option("--as", help="Decide as this user.")] = None,
    db: DbOption = None,
) -> None:
    """Confirm or dismiss a hit; the decision holds until the list entry changes."""
    node = node_for(db)
    if decision not in ("confirm", "dismiss"):
        raise typer.BadParameter("confirm or dismiss")
    chosen = cast(hits.Decision, decision)
    found = hits.decide_hit(node, acting(node, as_user), hit_id, chosen, reason)
    out.print(f"hit {hit_id}: {found['status']} by {found['decided_by']}")
