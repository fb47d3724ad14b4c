"""``borderlink operations``: joint operations (closed user groups) with partner nodes.

The coordinator creates an operation from a YAML/JSON file (code, name, purpose, agreement_ids,
participants, agencies, starts_on, ends_on, profiles, target_declarations, target_containers,
target_traders, results_template) and moves it; every participant reports its daily results.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Any

import typer
import yaml
from rich.console import Console
from rich.table import Table

from borderlink.cli.options import DbOption, acting, node_for
from borderlink.errors import InvalidInput
from borderlink.services.cooperation import operations
from borderlink.services.cooperation.records import IssueResult

app = typer.Typer(
    help="Joint operations: create, start, end, cancel, report, list, dashboard.",
    no_args_is_help=True,
)
out = Console()

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON on stdout.")]
AsOption = Annotated[str | None, typer.Option("--as", help="Act as this user (with their role).")]


def _document(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise InvalidInput(f"{path}: not valid YAML or JSON: {error}") from error
    if not isinstance(data, dict):
        raise InvalidInput(f"{path}: must hold one mapping")
    return data


def _issued(what: str, result: IssueResult) -> None:
    out.print(f"{what} [bold]{result.record_id}[/]")
    for partner in result.released_to:
        notified = "notified" if partner in result.notified else "will pull it"
        out.print(f"  to {partner} ({notified})")


@app.command("create")
def create_cmd(
    file: Annotated[Path, typer.Argument(help="YAML or JSON file with the operation.")],
    as_user: AsOption = None,
    db: DbOption = None,
) -> None:
    """Coordinate a new operation (planned); the same code again changes nothing."""
    node = node_for(db)
    result = operations.create_operation(node, acting(node, as_user), _document(file))
    if result is None:
        out.print("operation already held: nothing changed")
        return
    _issued("operation", result)


def _move(operation_id: str, to: str, as_user: str | None, db: str | None) -> None:
    node = node_for(db)
    _issued(to, operations.move_operation(node, acting(node, as_user), operation_id, to))


@app.command("start")
def start_cmd(operation_id: str, as_user: AsOption = None, db: DbOption = None) -> None:
    """Start it: its shared profiles fire at every participant within its period."""
    _move(operation_id, "active", as_user, db)


@app.command("end")
def end_cmd(operation_id: str, as_user: AsOption = None, db: DbOption = None) -> None:
    """End it: its shared profiles stop firing everywhere."""
    _move(operation_id, "ended", as_user, db)


@app.command("cancel")
def cancel_cmd(operation_id: str, as_user: AsOption = None, db: DbOption = None) -> None:
    """Cancel it."""
    _move(operation_id, "cancelled", as_user, db)


@app.command("report")
def report_cmd(
    operation_id: str,
    day: Annotated[dt.datetime, typer.Option(formats=["%Y-%m-%d"], help="The day reported.")],
    results: Annotated[
        Path | None,
        typer.Option(help="YAML/JSON: seizures, quantity, value, arrests, referrals, ..."),
    ] = None,
    as_user: AsOption = None,
    db: DbOption = None,
) -> None:
    """This node's results for a day (again for the same day: a correction)."""
    node = node_for(db)
    figures = _document(results) if results else {}
    result = operations.report_results(
        node, acting(node, as_user), operation_id, day.date(), figures
    )
    _issued("report", result)


@app.command("list")
def list_cmd(as_user: AsOption = None, db: DbOption = None, as_json: JsonOption = False) -> None:
    """The operations this node takes part in."""
    node = node_for(db)
    found = operations.list_operations(node, acting(node, as_user))
    if as_json:
        print(json.dumps([o.model_dump(mode="json") for o in found]))
        return
    table = Table("operation", "code", "coordinator", "participants", "state", "period")
    for o in found:
        table.add_row(
            o.operation_id,
            o.code,
            o.coordinator,
            ", ".join(o.participants),
            o.state + (" (running)" if o.running_today else ""),
            f"{o.starts_on} to {o.ends_on}",
        )
    out.print(table)


@app.command("dashboard")
def dashboard_cmd(
    operation_id: str,
    csv_out: Annotated[
        Path | None, typer.Option("--csv", help="Write the final report as CSV here.")
    ] = None,
    as_user: AsOption = None,
    db: DbOption = None,
) -> None:
    """Results by participant, day, HS chapter and route, with the shared profiles' hits (JSON);
    ``--csv`` writes the final report."""
    node = node_for(db)
    principal = acting(node, as_user)
    if csv_out is not None:
        csv_out.write_text(
            operations.final_report_csv(node, principal, operation_id), encoding="utf-8"
        )
        out.print(f"final report written to {csv_out}")
        return
    print(
        json.dumps(asdict(operations.operation_dashboard(node, principal, operation_id)), indent=2)
    )
