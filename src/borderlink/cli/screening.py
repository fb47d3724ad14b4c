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
from borderlink.services.screening import compare, hits, linking, run

app = typer.Typer(
    help="Screening: compare name pairs, run, hits, decide; link traders.", no_args_is_help=True
)
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


@app.command("link")
def link_cmd(
    threshold: Annotated[
        float, typer.Option(help="Match probability from which two records are one trader.")
    ] = 0.9,
    engine: Annotated[
        str,
        typer.Option(
            "--engine",
            help="duckdb: this process; spark: Splink's Spark backend "
            "(pip install 'borderlink\\[spark]').",
        ),
    ] = "duckdb",
    master: Annotated[
        str | None,
        typer.Option(help="With --engine spark: local[N] or a cluster (default: settings)."),
    ] = None,
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Link the same trader across the stored parties and partners' seizure reports (Splink);
    the clusters and scored links replace the previous run's; analysts' judgements are used."""
    if engine not in ("duckdb", "spark"):
        raise typer.BadParameter("duckdb or spark", param_hint="--engine")
    summary = linking.link_traders(
        node_for(db),
        CLI,
        threshold=threshold,
        engine="spark" if engine == "spark" else "duckdb",
        master=master,
    )
    if as_json:
        print(json.dumps(asdict(summary)))
        return
    out.print(
        f"run {summary.run_id}: {summary.records} records, {summary.links} scored links, "
        f"{summary.clusters} clusters of two or more (largest {summary.largest}); "
        f"{summary.judgements_used} judgements used; {summary.seconds} s"
    )
    for step in summary.trained:
        out.print(f"  {step}")


@app.command("links")
def links_cmd(
    undecided: Annotated[bool, typer.Option(help="Only those no analyst judged.")] = False,
    limit: Annotated[int, typer.Option(help="How many, strongest first.")] = 50,
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """The scored links between trader records, strongest first, with any judgement."""
    page = linking.list_links(node_for(db), CLI, undecided=undecided, limit=limit)
    if as_json:
        print(page.model_dump_json())
        return
    table = Table("left", "right", "probability", "joined", "judgement")
    for link in page.items:
        table.add_row(
            f"{link.left_key} {link.left_name or ''}", f"{link.right_key} {link.right_name or ''}",
            f"{link.probability:.3f}", "yes" if link.joined else "no", link.judgement or "",
        )  # fmt: skip
    out.print(table)
    out.print(f"{page.total} links")


@app.command("judge")
def judge_cmd(
    left: Annotated[str, typer.Argument(help="A record key (party:ID, partner:...).")],
    right: Annotated[str, typer.Argument(help="The other record key.")],
    judgement: Annotated[str, typer.Argument(help="same or different.")],
    reason: Annotated[str, typer.Option("--reason", help="Why (kept in the audit log).")],
    as_user: Annotated[str | None, typer.Option("--as", help="Judge as this user.")] = None,
    db: DbOption = None,
) -> None:
    """Say two trader records are the same trader or different ones; the next `link` run
    learns from it, joins them, or keeps them apart."""
    node = node_for(db)
    if judgement not in ("same", "different"):
        raise typer.BadParameter("same or different")
    chosen = cast(linking.Judgement, judgement)
    found = linking.judge_link(node, acting(node, as_user), left, right, chosen, reason)
    out.print(f"{found['left_key']} / {found['right_key']}: {judgement} by {found['decided_by']}")
