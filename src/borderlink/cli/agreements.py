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
    accept_copy,
    add_agreement,
    copy_checks,
    get_agreement,
    list_agreements,
    signed_copy,
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


@app.command("copy")
def copy_cmd(
    agreement_id: str,
    output: Annotated[Path | None, typer.Option("--out", help="Write it to this file")] = None,
    db: DbOption = None,
) -> None:
    """Print this node's signed copy of an agreement, for the partner's liaison officer."""
    token = signed_copy(node_for(db), CLI, agreement_id)
    if output is None:
        print(token)
        return
    output.write_text(token + "\n", encoding="utf-8")
    out.print(f"signed copy of {agreement_id} written to {output}")


@app.command("take")
def take_cmd(
    file: Annotated[Path, typer.Argument(help="The partner's signed copy (from `copy`)")],
    reason: ReasonOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Take a partner's signed copy of an agreement and compare it with this node's."""
    try:
        token = file.read_text(encoding="utf-8")
    except OSError as error:
        raise InvalidInput(f"cannot read {file}: {error}") from error
    check = accept_copy(node_for(db), CLI, token, reason=reason)
    if as_json:
        print(
            json.dumps(
                {
                    "agreement_id": check.agreement_id,
                    "partner_id": check.partner_id,
                    "status": check.status,
                    "ours": check.ours,
                    "theirs": check.theirs,
                }
            )
        )
        return
    colour = "green" if check.status == "confirmed" else "red"
    out.print(f"[{colour}]{check.status}[/]: {check.detail}")


@app.command("copies")
def copies_cmd(db: DbOption = None, as_json: JsonOption = False) -> None:
    """Whether each partner holds the same terms as this node (nothing flows until it does)."""
    found = copy_checks(node_for(db), CLI)
    if as_json:
        print(
            json.dumps(
                {
                    "copies": [
                        {
                            "agreement_id": c.agreement_id,
                            "partner_id": c.partner_id,
                            "status": c.status,
                            "ours": c.ours,
                            "theirs": c.theirs,
                        }
                        for c in found
                    ]
                }
            )
        )
        return
    table = Table("agreement", "partner", "status", "detail")
    for c in found:
        table.add_row(c.agreement_id, c.partner_id, c.status, c.detail)
    out.print(table)
