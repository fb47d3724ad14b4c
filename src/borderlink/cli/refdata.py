"""``borderlink refdata``: load HS editions, correlations, exchange rates and UN/LOCODEs; look
codes up; list what the node has."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.tree import Tree

from borderlink.cli.options import CLI, DbOption, node_for
from borderlink.model import HsNode
from borderlink.services.refdata import load as service

app = typer.Typer(
    help="Reference data: HS editions, correlations, exchange rates, UN/LOCODEs.",
    no_args_is_help=True,
)
load_app = typer.Typer(help="Load a reference data file into the node.", no_args_is_help=True)
show_app = typer.Typer(help="Look a code up.", no_args_is_help=True)
app.add_typer(load_app, name="load")
app.add_typer(show_app, name="show")
out = Console()

FileArgument = Annotated[
    Path, typer.Argument(help="The CSV file.", exists=True, dir_okay=False, readable=True)
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print one JSON object on stdout.")]


def _done(as_json: bool, what: str, count: int, file: Path, **extra: str) -> None:
    if as_json:
        print(json.dumps({"loaded": what, "rows": count, "file": str(file), **extra}))
    else:
        more = "".join(f" {value}" for value in extra.values())
        out.print(f"loaded {count:,} {what}{more} from {file}")


@load_app.command("hs")
def load_hs_cmd(
    file: FileArgument,
    edition: Annotated[
        str | None,
        typer.Option(help="The edition, e.g. HS2017 (default: from the file name, else HS2022)."),
    ] = None,
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Load an HS nomenclature (UN Comtrade layout: section,hscode,description,parent,level)."""
    node = node_for(db)
    chosen = service.hs_edition_for(node, file, edition)
    count = service.load_hs(node, CLI, file, chosen)
    _done(as_json, "HS codes", count, file, edition=chosen)


@load_app.command("correlation")
def load_correlation_cmd(
    file: FileArgument,
    from_edition: Annotated[
        str | None,
        typer.Option("--from", help="Edition of the from column (default: from the header)."),
    ] = None,
    to_edition: Annotated[
        str | None,
        typer.Option("--to", help="Edition of the to column (default: from the header)."),
    ] = None,
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Load an HS correlation table (hs2022,hs2017[,relationship])."""
    count = service.load_correlation(
        node_for(db), CLI, file, from_edition=from_edition, to_edition=to_edition
    )
    _done(as_json, "correlation pairs", count, file)


@load_app.command("rates")
def load_rates_cmd(file: FileArgument, as_json: JsonOption = False, db: DbOption = None) -> None:
    """Load exchange rates (currency,valid_from,rate[,quote_currency])."""
    count = service.load_rates(node_for(db), CLI, file)
    _done(as_json, "exchange rates", count, file)


@load_app.command("locode")
def load_locode_cmd(file: FileArgument, as_json: JsonOption = False, db: DbOption = None) -> None:
    """Load a UN/LOCODE code list (UNECE CSV layout)."""
    node = node_for(db)
    with Progress(
        SpinnerColumn(),
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        TextColumn("{task.completed:,} locations"),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        disable=as_json,
        transient=True,
    ) as progress:
        task = progress.add_task(f"loading {file.name}", total=None)
        count = service.load_locations(
            node, CLI, file, progress=lambda rows: progress.advance(task, rows)
        )
    _done(as_json, "locations", count, file)


def _label(code: str, description: str, *, bold: bool = False) -> str:
    code_text = f"[bold cyan]{code}[/]" if bold else f"[cyan]{code}[/]"
    return f"{code_text} {description}"


def _add_children(branch: Tree, children: list[HsNode]) -> None:
    for child in children:
        _add_children(branch.add(_label(child.code, child.description)), child.children)


@show_app.command("hs")
def show_hs_cmd(
    code: Annotated[str, typer.Argument(help="An HS code: 2, 4, 6 digits (dots allowed).")],
    edition: Annotated[
        str | None, typer.Option(help="The edition (default: HS2022, then the others).")
    ] = None,
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """A code with its ancestors, descendants and correlated codes in other editions."""
    view = service.show_hs(node_for(db), code, edition)
    if as_json:
        print(view.model_dump_json())
        return
    section = f"Section {view.section} · " if view.section else ""
    tree = Tree(f"[dim]{section}{view.edition} ({view.source})[/]")
    branch = tree
    for ancestor in view.ancestors:
        branch = branch.add(_label(ancestor.code, ancestor.description))
    _add_children(branch.add(_label(view.code, view.description, bold=True)), view.descendants)
    out.print(tree)
    if view.correlated:
        table = Table("edition", "code", "relationship", "description", title="correlated codes")
        for item in view.correlated:
            table.add_row(item.edition, item.code, item.relationship or "", item.description or "")
        out.print(table)


@show_app.command("country")
def show_country_cmd(
    code: Annotated[str, typer.Argument(help="ISO 3166-1 alpha-2, alpha-3 or numeric code.")],
    as_json: JsonOption = False,
    db: DbOption = None,  # accepted like everywhere; countries ship with the package (ISO 3166)
) -> None:
    """A country: its name, alpha-2, alpha-3 and numeric codes."""
    view = service.show_country(code)
    if as_json:
        print(view.model_dump_json())
        return
    table = Table("field", "value", show_header=False)
    for field, value in view.model_dump().items():
        if value is not None:
            table.add_row(field.replace("_", "-"), str(value))
    out.print(table)


@app.command("list")
def list_cmd(as_json: JsonOption = False, db: DbOption = None) -> None:
    """What reference data the node has: HS editions, correlations, rates, locations."""
    summary = service.summary(node_for(db))
    if as_json:
        print(summary.model_dump_json())
        return
    editions = Table(
        "edition", "source", "chapters", "headings", "subheadings", "national", title="HS editions"
    )
    for e in summary.editions:
        editions.add_row(
            e.edition,
            e.source,
            f"{e.chapters:,}",
            f"{e.headings:,}",
            f"{e.subheadings:,}",
            f"{e.national:,}",
        )
    out.print(editions)
    if summary.correlations:
        table = Table(
            "from", "to", "pairs", "unambiguous →", "unambiguous ←", title="HS correlations"
        )
        for c in summary.correlations:
            table.add_row(
                c.from_edition,
                c.to_edition,
                f"{c.pairs:,}",
                f"{c.unambiguous_forward:,}",
                f"{c.unambiguous_backward:,}",
            )
        out.print(table)
    else:
        out.print("no HS correlations loaded")
    currencies = f" ({', '.join(summary.rate_currencies)})" if summary.rate_currencies else ""
    out.print(
        f"exchange rates: {summary.rates:,}{currencies}; "
        f"reporting currency {summary.reporting_currency}"
    )
    out.print(f"locations (UN/LOCODE): {summary.locations:,}")
