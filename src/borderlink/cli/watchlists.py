"""``borderlink watchlists``: load a list file, list the lists, show an entry, diff a file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn
from rich.table import Table

from borderlink.cli.options import CLI, DbOption, node_for
from borderlink.errors import InvalidInput
from borderlink.services.screening import watchlists

app = typer.Typer(help="Watchlists: load, list, show, diff.", no_args_is_help=True)
out = Console()
err = Console(stderr=True)

FormatOption = Annotated[
    str,
    typer.Option(
        "--format", help="ofac-csv (OFAC SDN legacy CSV), ftm (FollowTheMoney JSON lines) or csv."
    ),
]
ListOption = Annotated[
    str | None, typer.Option("--list", help="The list's name (default: the file's name).")
]
ColumnOption = Annotated[
    list[str] | None,
    typer.Option(
        "--column", help="For --format csv: FIELD=HEADER (id, name, aliases, schema, imo, ...)."
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON on stdout.")]


def _mapping(columns: list[str] | None) -> dict[str, str]:
    mapping = {}
    for pair in columns or []:
        fieldname, eq, header = pair.partition("=")
        if not eq or not fieldname.strip() or not header.strip():
            raise InvalidInput(f"--column {pair!r}: write FIELD=HEADER", field="column")
        mapping[fieldname.strip()] = header.strip()
    return mapping


@app.command("load")
def load_cmd(
    file: Annotated[Path, typer.Argument(help="The list file.")],
    fmt: FormatOption = "ofac-csv",
    list_name: ListOption = None,
    column: ColumnOption = None,
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Load or reload a list: new entries added, changed ones updated, entries gone from the
    file ended (never deleted); records that are not entries listed with their reason."""
    node = node_for(db)
    with Progress(
        SpinnerColumn(),
        TextColumn("[bold]watchlist[/] {task.description}"),
        console=err,
        transient=True,
    ) as bar:
        task = bar.add_task(file.name)
        summary = watchlists.load_watchlist(
            node,
            CLI,
            file,
            fmt,
            list_name,
            mapping=_mapping(column),
            progress=lambda n: bar.update(task, description=f"{file.name}: {n} records"),
        )
    figures = {k: v for k, v in vars(summary).items() if k != "rejected"}
    if as_json:
        print(json.dumps({**figures, "rejected": [vars(r) for r in summary.rejected]}))
        return
    out.print(
        f"[bold]{summary.list_name}[/]: read {summary.read}, added {summary.added}, updated "
        f"{summary.updated}, unchanged {summary.unchanged}, ended {summary.ended}, duplicates "
        f"{summary.duplicates}, rejected {len(summary.rejected)}"
    )
    for r in summary.rejected[:50]:
        out.print(f"  record {r.record}, field {r.field}: {r.reason}")


@app.command("list")
def list_cmd(as_json: JsonOption = False, db: DbOption = None) -> None:
    """The lists loaded, with their entries in force and ended."""
    found = watchlists.list_watchlists(node_for(db), CLI)
    if as_json:
        print(json.dumps(found, default=str))
        return
    table = Table("list", "format", "in force", "ended", "loads", "last file", "loaded at", "by")
    for w in found:
        table.add_row(
            w["name"], w["format"], str(w["entries"]), str(w["ended"]), str(w["loads"]),
            w["source"] or "", str(w["loaded_at"])[:19], w["loaded_by"],
        )  # fmt: skip
    out.print(table)


@app.command("show")
def show_cmd(
    list_name: Annotated[str, typer.Argument(help="The list.")],
    entry_id: Annotated[str, typer.Argument(help="The entry's id on the list.")],
    db: DbOption = None,
) -> None:
    """One entry: names and aliases, identifiers, countries, programmes, validity."""
    entry = watchlists.show_entry(node_for(db), CLI, list_name, entry_id)
    print(json.dumps(entry, default=str, ensure_ascii=False, indent=2))


@app.command("diff")
def diff_cmd(
    file: Annotated[Path, typer.Argument(help="The list file.")],
    fmt: FormatOption = "ofac-csv",
    list_name: ListOption = None,
    column: ColumnOption = None,
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """What loading FILE would change: entries added, changed and removed (nothing written)."""
    found = watchlists.diff_watchlist(
        node_for(db), CLI, file, fmt, list_name, mapping=_mapping(column)
    )
    if as_json:
        print(json.dumps(vars(found)))
        return
    out.print(
        f"[bold]{found.list_name}[/]: {len(found.added)} added, {len(found.changed)} changed, "
        f"{len(found.removed)} removed"
    )
    for label, ids in (
        ("added", found.added),
        ("changed", found.changed),
        ("removed", found.removed),
    ):
        if ids:
            out.print(f"  {label}: {', '.join(ids[:20])}{' ...' if len(ids) > 20 else ''}")
