"""``borderlink exchange keys``: rotate this node's signing key; list a node's key history."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from borderlink.cli.options import CLI, DbOption, node_for
from borderlink.services.exchange.keys import DEFAULT_OVERLAP, key_history, rotate_key

app = typer.Typer(
    help="The node's signing keys: rotate (partners learn the new key from the old), list.",
    no_args_is_help=True,
)
out = Console()
JsonOption = Annotated[bool, typer.Option("--json", help="Print one JSON object.")]


@app.command("rotate")
def rotate_cmd(
    overlap_days: Annotated[
        float, typer.Option(help="Days the old key stays accepted (at most 90)", min=0)
    ] = DEFAULT_OVERLAP.total_seconds() / 86400,
    reason: Annotated[str | None, typer.Option(help="Why (kept in the audit log)")] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Sign with a new key from now on; the statement naming it is signed by the old one."""
    rotation = rotate_key(node_for(db), CLI, overlap=dt.timedelta(days=overlap_days), reason=reason)
    found = {
        "node_id": rotation.identity.node_id,
        "public_key": rotation.identity.public_key,
        "previous_key": rotation.previous_key,
        "overlap_until": rotation.overlap_until.isoformat(),
        "statement": rotation.statement,
    }
    if as_json:
        print(json.dumps(found))
        return
    out.print(
        f"{found['node_id']} now signs with {found['public_key']}; "
        f"{found['previous_key']} stays accepted until {found['overlap_until']} "
        "(partners apply the signed statement on their next sync)"
    )


@app.command("list")
def list_cmd(
    node_id: Annotated[
        str | None, typer.Argument(help="A partner's id (default: this node)")
    ] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """The keys a node signed with, oldest first, with the period each is accepted for."""
    keys = key_history(node_for(db), CLI, node_id)
    if as_json:
        print(json.dumps({"keys": [dataclasses.asdict(k) for k in keys]}, default=str))
        return
    table = Table("public key", "from", "until", "how")
    for k in keys:
        table.add_row(
            k.public_key,
            str(k.valid_from or "registered"),
            str(k.valid_until or "current"),
            "rotation" if k.rotated else "first key",
        )
    out.print(table)
