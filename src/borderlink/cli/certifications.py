"""``borderlink certifications``: who holds what, what lapses soon, and what the node requires.

A certification is what a passed training record grants (``borderlink training record``).
``require`` makes the node reserve an action to certified people (``--builtin``: NII results
need ``nii-image-analysis``, activating a profile that forces red needs ``risk-analyst``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from borderlink.cli.options import CLI, DbOption, acting, node_for
from borderlink.model import GatedAction
from borderlink.services.capacity import certifications, training

app = typer.Typer(
    help="Certifications: held, expiring, and the node's requirements.", no_args_is_help=True
)
out = Console()

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON on stdout.")]
AsOption = Annotated[str | None, typer.Option("--as", help="Act as this user.")]


@app.command("list")
def list_cmd(
    username: Annotated[str | None, typer.Argument(help="Whose (default: everyone's).")] = None,
    within: Annotated[
        int, typer.Option("--expiring-within", min=0, help="Days ahead counted as lapsing soon.")
    ] = training.EXPIRING_DAYS,
    as_user: AsOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Certifications in force today, and those lapsing within --expiring-within days."""
    node = node_for(db)
    found = training.standing(node, acting(node, as_user), username, within_days=within)
    if as_json:
        print(json.dumps(found.model_dump(mode="json")))
        return
    soon = {(c.username, c.certification) for c in found.expiring}
    table = Table("user", "certification", "since", "expires", "days left")
    for c in found.held:
        late = "[bold red]" if (c.username, c.certification) in soon else ""
        table.add_row(
            c.username,
            c.certification,
            str(c.since),
            str(c.expires_on or "never"),
            late + ("" if c.days_left is None else str(c.days_left)),
        )
    out.print(table)
    out.print(f"{len(found.expiring)} lapsing within {within} days")


@app.command("require")
def require_cmd(
    file: Annotated[Path | None, typer.Argument(help="YAML or JSON requirements.")] = None,
    builtin: Annotated[bool, typer.Option("--builtin", help="The example set.")] = False,
    db: DbOption = None,
) -> None:
    """Reserve actions to certified people (replaced by action; the same file twice: no change)."""
    if (file is None) == (not builtin):
        raise typer.BadParameter("give a FILE or --builtin")
    for change in certifications.load_requirements_file(node_for(db), CLI, file):
        out.print(f"{change.action.value} needs {change.certification}: {change.change}")


@app.command("requirements")
def requirements_cmd(db: DbOption = None, as_json: JsonOption = False) -> None:
    """What the node reserves to certified people."""
    found = certifications.list_requirements(node_for(db), CLI)
    if as_json:
        print(json.dumps([r.model_dump(mode="json") for r in found]))
        return
    table = Table("action", "certification", "active", "why")
    for r in found:
        table.add_row(r.action.value, r.certification, "yes" if r.active else "no", r.reason)
    out.print(table)


@app.command("lift")
def lift_cmd(action: GatedAction, db: DbOption = None) -> None:
    """Stop reserving ACTION to certified people."""
    certifications.lift_requirement(node_for(db), CLI, action)
    out.print(f"{action.value}: no certification required")
