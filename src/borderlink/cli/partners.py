"""``borderlink partners``: the partner nodes this node exchanges with."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from borderlink.cli.options import CLI, DbOption, node_for
from borderlink.services.cooperation import Partner
from borderlink.services.cooperation.partners import add_partner, list_partners, remove_partner
from borderlink.services.exchange.credentials import create_credentials, revoke_credentials

app = typer.Typer(help="Partner nodes: id, name, public key, base URL.", no_args_is_help=True)
out = Console()


@app.command("add")
def add_cmd(
    partner_id: Annotated[str, typer.Argument(help="The partner's node id")],
    name: Annotated[str, typer.Option(help="Display name, e.g. 'Customs of Atlantis'")],
    key: Annotated[str, typer.Option(help="Its Ed25519 public key (from `node show`)")],
    url: Annotated[str, typer.Option(help="Its base URL, e.g. https://customs.example")],
    reason: Annotated[str | None, typer.Option(help="Why (audit log)")] = None,
    db: DbOption = None,
) -> None:
    """Register a partner node."""
    partner = add_partner(node_for(db), CLI, Partner(partner_id, name, key, url), reason=reason)
    out.print(f"partner [bold]{partner.partner_id}[/] ({partner.name}) at {partner.base_url}")


@app.command("list")
def list_cmd(
    db: DbOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """List the registered partners."""
    found = list_partners(node_for(db), CLI)
    if as_json:
        print(json.dumps({"partners": [asdict(p) for p in found]}))
        return
    table = Table("id", "name", "base URL", "public key")
    for p in found:
        table.add_row(p.partner_id, p.name, p.base_url, p.public_key)
    out.print(table)


@app.command("remove")
def remove_cmd(
    partner_id: str,
    reason: Annotated[str | None, typer.Option(help="Why (audit log)")] = None,
    db: DbOption = None,
) -> None:
    """Forget a partner: nothing more is released to it or accepted from it."""
    remove_partner(node_for(db), CLI, partner_id, reason=reason)
    out.print(f"partner {partner_id} removed")


@app.command("credentials")
def credentials_cmd(
    partner_id: Annotated[str, typer.Argument(help="The partner whose tools read over TAXII")],
    revoke: Annotated[bool, typer.Option("--revoke", help="End its credentials instead")] = False,
    db: DbOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Read-only TAXII credentials (HTTP Basic) for a partner's MISP or OpenCTI: printed once;
    new ones end the earlier ones."""
    node = node_for(db)
    if revoke:
        ended = revoke_credentials(node, CLI, partner_id)
        if as_json:
            print(json.dumps({"revoked": ended}))
        else:
            out.print(f"TAXII credentials of {partner_id} ended: {', '.join(ended)}")
        return
    made = create_credentials(node, CLI, partner_id)
    if as_json:
        print(json.dumps({"username": made.username, "password": made.password}))
        return
    out.print(f"username: {made.username}\npassword: {made.password}")
    out.print("shown once; they read this partner's collections under /taxii2/ only")
