"""``borderlink profiles``: analysts' risk profiles (YAML files in, versions in the store)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from borderlink.cli.options import CLI, DbOption, acting, node_for
from borderlink.services.risk import profiles as service

app = typer.Typer(help="Risk profiles: add, list, show, disable, test.", no_args_is_help=True)
out = Console()

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON on stdout.")]
FileArg = Annotated[Path, typer.Argument(help="YAML or JSON file with one or more profiles.")]


@app.command("add")
def add_cmd(
    file: FileArg,
    db: DbOption = None,
    owner: str | None = None,
    as_user: Annotated[
        str | None, typer.Option("--as", help="Save as this user (their rights, certifications).")
    ] = None,
) -> None:
    """Add the profiles in FILE (a changed profile becomes a new version)."""
    node = node_for(db)
    principal = acting(node, as_user)
    for profile in service.read_profiles_file(file):
        if owner:
            profile = profile.model_copy(update={"owner": owner})
        stored = service.save_profile(node, principal, profile)
        out.print(f"profile [bold]{stored.name}[/] version {stored.version}")


@app.command("list")
def list_cmd(db: DbOption = None, as_json: JsonOption = False) -> None:
    """Every profile's current version, with its hit statistics."""
    node = node_for(db)
    views = service.list_profiles(node, CLI)
    today = dt.datetime.now(dt.UTC).date()
    if as_json:
        rows = [
            {
                **v.profile.model_dump(mode="json"),
                "active": v.profile.is_active(today),
                **({} if not v.hits else _stats(v)),
            }
            for v in views
        ]
        print(json.dumps(rows))
        return
    table = Table("name", "v", "active", "weight", "channel", "hits", "hit rate", "reason")
    for v in views:
        p = v.profile
        table.add_row(
            p.name,
            str(p.version),
            "yes" if p.is_active(today) else "no",
            f"{p.weight:g}",
            p.channel or "",
            str(v.hits),
            f"{v.hit_rate:.0%}" if v.hit_rate is not None else "-",
            p.reason,
        )
    out.print(table)


def _stats(view: service.ProfileView) -> dict[str, float]:
    return {
        "hits": view.hits,
        "inspected": view.inspected,
        "illicit": view.illicit,
        "hit_rate": view.hit_rate or 0.0,
    }


@app.command("show")
def show_cmd(
    name: str,
    db: DbOption = None,
    version: Annotated[int | None, typer.Option(help="A given version.")] = None,
) -> None:
    """One profile (its current version unless --version)."""
    profile = service.get_profile(node_for(db), CLI, name, version)
    print(json.dumps(profile.model_dump(mode="json"), indent=2))


@app.command("disable")
def disable_cmd(name: str, db: DbOption = None) -> None:
    """Disable a profile (a new version that never fires)."""
    profile = service.disable_profile(node_for(db), CLI, name)
    out.print(f"profile [bold]{profile.name}[/] disabled (version {profile.version})")


@app.command("test")
def replay_cmd(file: FileArg, db: DbOption = None) -> None:
    """Replay the profiles in FILE over stored history: hits and hit rate (JSON per line)."""
    node = node_for(db)
    for profile in service.read_profiles_file(file):
        print(json.dumps(service.replay_profile(node, CLI, profile)))
