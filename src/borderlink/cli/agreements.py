"""``borderlink agreements``: agreements as data (YAML), their lifecycle."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
import yaml
from rich.console import Console
from rich.table import Table

from borderlink.cli.options import CLI, DbOption, node_for
from borderlink.errors import InvalidInput
from borderlink.model.cooperation import AgreementState
from borderlink.services.cooperation import load_agreement_yaml
from borderlink.services.cooperation.agreements import (
    add_agreement,
    get_agreement,
    list_agreements,
    transition_agreement,
)

app = typer.Typer(help="Agreements: what may flow to whom, redacted how.", no_args_is_help=True)
out = Console()
JsonOption = Annotated[bool, typer.Option("--json", help="Print one JSON object.")]
ReasonOption = Annotated[str | None, typer.Option(help="Why (audit log)")]


@app.command("add")
def add_cmd(
    file: Annotated[Path, typer.Argument(help="The agreement as a YAML document")],
    reason: ReasonOption = None,
    db: DbOption = None,
) -> None:
    """Register an agreement (it starts as a draft)."""
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as error:
        raise InvalidInput(f"cannot read {file}: {error}") from error
    agreement = add_agreement(node_for(db), CLI, load_agreement_yaml(text), reason=reason)
    out.print(f"agreement [bold]{agreement.agreement_id}[/] registered ({agreement.state})")


@app.command("show")
def show_cmd(agreement_id: str, db: DbOption = None, as_json: JsonOption = False) -> None:
    """Print one agreement."""
    document = get_agreement(node_for(db), CLI, agreement_id).as_document()
    if as_json:
        print(json.dumps(document))
    else:
        out.print(yaml.safe_dump(document, sort_keys=False))


@app.command("transition")
def transition_cmd(
    agreement_id: str,
    to: Annotated[AgreementState, typer.Argument(help="The new lifecycle state")],
    reason: ReasonOption = None,
    db: DbOption = None,
) -> None:
    """Move an agreement along its lifecycle (draft→signed→ratified→in_force→...)."""
    agreement = transition_agreement(node_for(db), CLI, agreement_id, to, reason=reason)
    out.print(f"agreement {agreement.agreement_id} is now [bold]{agreement.state}[/]")


@app.command("list")
def list_cmd(db: DbOption = None, as_json: JsonOption = False) -> None:
    """List agreements with their state and what they let flow."""
    found = list_agreements(node_for(db), CLI)
    if as_json:
        print(json.dumps({"agreements": [a.as_document() for a in found]}))
        return
    table = Table("id", "parties", "type", "state", "categories", "purposes", "review on")
    for a in found:
        table.add_row(
            a.agreement_id,
            ", ".join(a.parties),
            a.type,
            a.state,
            ", ".join(sorted(a.categories)),
            ", ".join(sorted(a.purposes)),
            str(a.review_on or ""),
        )
    out.print(table)
