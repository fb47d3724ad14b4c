"""``borderlink node``: this node's identity and signing key."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.console import Console

from borderlink.cli.options import CLI, DbOption, node_for
from borderlink.services.cooperation.partners import init_node, node_identity

app = typer.Typer(help="This node's identity: id, name, Ed25519 signing key.", no_args_is_help=True)
out = Console()

JsonOption = Annotated[bool, typer.Option("--json", help="Print one JSON object.")]


def _show(node_id: str, name: str, public_key: str, key_path: str, as_json: bool) -> None:
    info = {"node_id": node_id, "name": name, "public_key": public_key, "key_file": key_path}
    if as_json:
        print(json.dumps(info))
        return
    out.print(f"node [bold]{node_id}[/] ({name})")
    out.print(f"public key: {public_key}")
    out.print(f"key file:   {key_path}")
    out.print(
        "partners register this node with: borderlink partners add "
        f"{node_id} --name '{name}' --key {public_key} --url <this node's URL>"
    )


@app.command("init")
def init_cmd(
    db: DbOption = None,
    force: Annotated[bool, typer.Option(help="Replace an existing key (partners must re-add)")] = (
        False
    ),
    as_json: JsonOption = False,
) -> None:
    """Create the node's Ed25519 signing key (PEM, mode 0600, under the data directory)."""
    node = node_for(db)
    identity = init_node(node, CLI, overwrite=force)
    _show(
        identity.node_id,
        identity.name,
        identity.public_key,
        str(node.settings.node_key_path),
        as_json,
    )


@app.command("show")
def show_cmd(db: DbOption = None, as_json: JsonOption = False) -> None:
    """Print the node's id, name and public key."""
    node = node_for(db)
    identity = node_identity(node)
    _show(
        identity.node_id,
        identity.name,
        identity.public_key,
        str(node.settings.node_key_path),
        as_json,
    )
