"""``borderlink mras``: mutual recognition arrangements, their trader id mappings, and the
trusted traders they make."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path
from typing import Annotated

import typer
import yaml
from rich.console import Console
from rich.table import Table

from borderlink.cli.options import CLI, DbOption, node_for
from borderlink.errors import InvalidInput
from borderlink.services.cooperation import aeo

app = typer.Typer(
    help="Trusted traders: MRAs, their id mappings, AEO benefits.", no_args_is_help=True
)
out = Console()
JsonOption = Annotated[bool, typer.Option("--json", help="Print one JSON object.")]
MAPPING_COLUMNS = ("partner_trader_id", "local_trader_id")


def _read(file: Path) -> str:
    try:
        return file.read_text(encoding="utf-8")
    except OSError as error:
        raise InvalidInput(f"cannot read {file}: {error}") from error


@app.command("put")
def put_cmd(
    file: Annotated[Path, typer.Argument(help="The MRA as YAML or JSON")], db: DbOption = None
) -> None:
    """Add or replace an MRA (or this node's own programme: partner = this node's id)."""
    try:
        document = yaml.safe_load(_read(file))
    except yaml.YAMLError as error:
        raise InvalidInput(f"{file}: not YAML or JSON: {error}") from error
    if not isinstance(document, dict):
        raise InvalidInput(f"{file}: an MRA is a mapping of fields")
    mra = aeo.put_mra(node_for(db), CLI, document)
    out.print(f"MRA [bold]{mra.mra_id}[/] ({mra.title}) kept")


@app.command("list")
def list_cmd(db: DbOption = None, as_json: JsonOption = False) -> None:
    """The MRAs with their programmes and benefits."""
    found = aeo.list_mras(node_for(db), CLI)
    if as_json:
        print(json.dumps({"mras": [m.as_document() for m in found]}))
        return
    table = Table(
        "id", "title", "partner", "programmes", "roles", "risk weight", "doc checks", "in force"
    )
    today = dt.datetime.now(dt.UTC).date()
    for m in found:
        table.add_row(
            m.mra_id,
            m.title,
            m.partner,
            ", ".join(m.programmes),
            ", ".join(m.roles),
            f"{m.benefits.risk_weight:g}",
            f"{m.benefits.document_checks:.0%}",
            "yes" if m.in_force(today) else "no",
        )
    out.print(table)


@app.command("show")
def show_cmd(mra_id: str, db: DbOption = None) -> None:
    """Print one MRA."""
    print(json.dumps(aeo.get_mra(node_for(db), CLI, mra_id).as_document(), indent=2))


@app.command("map")
def map_cmd(
    mra_id: str,
    file: Annotated[Path, typer.Argument(help="CSV: partner_trader_id,local_trader_id")],
    db: DbOption = None,
) -> None:
    """Add rows to an MRA's trader id mapping (the same file twice changes nothing)."""
    rows = list(csv.DictReader(_read(file).splitlines()))
    if rows and not set(MAPPING_COLUMNS) <= set(rows[0]):
        raise InvalidInput(f"{file}: columns {', '.join(MAPPING_COLUMNS)} expected", field="file")
    pairs = [(r["partner_trader_id"] or "", r["local_trader_id"] or "") for r in rows]
    held = aeo.map_traders(node_for(db), CLI, mra_id, pairs)
    out.print(f"{len(pairs)} row(s) read; the mapping of {mra_id} holds {held}")


@app.command("trusted")
def trusted_cmd(
    on: Annotated[str | None, typer.Option(help="On this day (YYYY-MM-DD; default today)")] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """The ids declared here that an AEO status makes trusted, per MRA."""
    try:
        day = dt.date.fromisoformat(on) if on else None
    except ValueError as error:
        raise InvalidInput(f"--on {on!r}: not a date", field="on") from error
    found = aeo.trusted_traders_view(node_for(db), CLI, day)
    if as_json:
        print(json.dumps({"trusted": [t.model_dump(mode="json") for t in found]}))
        return
    table = Table("party", "MRA", "programme", "roles", "valid from", "valid until")
    for t in found:
        table.add_row(
            t.party_id,
            t.mra_id,
            t.programme,
            ", ".join(t.roles),
            str(t.valid_from),
            str(t.valid_until or ""),
        )
    out.print(table)
