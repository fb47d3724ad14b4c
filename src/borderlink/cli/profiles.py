"""``borderlink profiles``: analysts' risk profiles (YAML files in, versions in the store)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from borderlink.cli.options import DbOption, node_for
from borderlink.services.risk import profiles as service
from borderlink.services.risk.score import profile_hit_rates

app = typer.Typer(help="Risk profiles: add, list, show, disable, test.", no_args_is_help=True)
out = Console()

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON on stdout.")]
FileArg = Annotated[Path, typer.Argument(help="YAML or JSON file with one or more profiles.")]


@app.command("add")
def add_cmd(file: FileArg, db: DbOption = None, owner: str | None = None) -> None:
    """Add the profiles in FILE (a changed profile becomes a new version)."""
    node = node_for(db)
    for profile in service.read_profiles_file(file):
        if owner:
            profile = profile.model_copy(update={"owner": owner})
        stored = service.add_profile(node, profile, actor=profile.owner)
        out.print(f"profile [bold]{stored.name}[/] version {stored.version}")


@app.command("list")
def list_cmd(db: DbOption = None, as_json: JsonOption = False) -> None:
    """Every profile's current version, with its hit statistics."""
    node = node_for(db)
    items = service.list_profiles(node)
    stats = profile_hit_rates(node)
    today = dt.datetime.now(dt.UTC).date()
    if as_json:
        rows = [
            {**p.model_dump(mode="json"), "active": p.is_active(today), **stats.get(p.name, {})}
            for p in items
        ]
        print(json.dumps(rows))
        return
    table = Table("name", "v", "active", "weight", "channel", "hits", "hit rate", "reason")
    for p in items:
        s = stats.get(p.name, {})
        rate = s.get("hit_rate")
        table.add_row(
            p.name,
            str(p.version),
            "yes" if p.is_active(today) else "no",
            f"{p.weight:g}",
            p.channel or "",
            str(s.get("hits", 0)),
            f"{rate:.0%}" if s.get("inspected") else "-",
            p.reason,
        )
    out.print(table)


@app.command("show")
def show_cmd(
    name: str,
    db: DbOption = None,
    version: Annotated[int | None, typer.Option(help="A given version.")] = None,
) -> None:
    """One profile (its current version unless --version)."""
    profile = service.get_profile(node_for(db), name, version)
    print(json.dumps(profile.model_dump(mode="json"), indent=2))


@app.command("disable")
def disable_cmd(name: str, db: DbOption = None) -> None:
    """Disable a profile (a new version that never fires)."""
    profile = service.disable_profile(node_for(db), name)
    out.print(f"profile [bold]{profile.name}[/] disabled (version {profile.version})")


@app.command("test")
def replay_cmd(file: FileArg, db: DbOption = None) -> None:
    """Replay the profiles in FILE over stored history: hits and hit rate (JSON per line)."""
    node = node_for(db)
    for profile in service.read_profiles_file(file):
        print(json.dumps(service.replay_profile(node, profile)))
