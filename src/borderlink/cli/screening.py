"""``borderlink screening``: compare name pairs; screen the parties; review the hits."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from borderlink.services.screening import compare

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
