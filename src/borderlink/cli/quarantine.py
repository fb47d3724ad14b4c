"""``borderlink exchange quarantine``: envelopes a sync refused, with the reason; retry them."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from borderlink.cli.options import CLI, DbOption, node_for
from borderlink.services.exchange.quarantine import list_quarantine, retry

app = typer.Typer(
    help="Envelopes a sync refused, kept with the reason (and retried).", no_args_is_help=True
)
out = Console()
JsonOption = Annotated[bool, typer.Option("--json", help="Print one JSON object.")]


@app.command("list")
def list_cmd(
    limit: Annotated[int, typer.Option(help="At most this many")] = 50,
    offset: Annotated[int, typer.Option(help="Skip this many")] = 0,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """List quarantined envelopes, the oldest first, with why each was refused."""
    page = list_quarantine(node_for(db), CLI, limit=limit, offset=offset)
    if as_json:
        print(page.model_dump_json())
        return
    table = Table("envelope", "partner", "code", "reason", "attempts", "last tried")
    for q in page.items:
        table.add_row(
            q.digest[:16], q.partner_id, q.code, q.reason, str(q.attempts), str(q.last_tried)
        )
    out.print(table)
    out.print(f"{page.total} quarantined")


@app.command("retry")
def retry_cmd(
    partner: Annotated[str | None, typer.Option(help="Only this partner's")] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Offer the quarantined envelopes again (after the cause was fixed)."""
    result = retry(node_for(db), CLI, partner_id=partner)
    if as_json:
        print(json.dumps(asdict(result)))
        return
    out.print(f"{len(result.accepted)} accepted, {len(result.refused)} still refused")
    for digest, why in result.refused.items():
        out.print(f"  [red]refused[/] {digest[:16]}: {why}")
