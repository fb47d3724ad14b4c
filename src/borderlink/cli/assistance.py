"""``borderlink assistance``: mutual assistance requests to and from partner administrations.

The command line is the node operator's; ``--as USER`` acts with that user's rights (a liaison
officer's, say). A request is drafted from a YAML/JSON file (its fields: reference, requested,
agreement_id, measure, title, details, urgency, deadline, declaration_ids, trader_ids,
container_numbers, vessel_imos), then sent; the requested node replies step by step.
"""

from __future__ import annotations

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
from borderlink.services.cooperation import assistance, assistance_views
from borderlink.services.cooperation.assistance_views import CaseView

app = typer.Typer(
    help="Mutual assistance requests: draft, send, withdraw, reply, list, show, reminders, "
    "figures, file.",
    no_args_is_help=True,
)
out = Console()

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON on stdout.")]
AsOption = Annotated[str | None, typer.Option("--as", help="Act as this user (with their role).")]
FilesOption = Annotated[
    list[Path] | None, typer.Option("--file", help="Attach this file (repeat for several).")
]


def _files(paths: list[Path] | None) -> list[assistance.File]:
    return [assistance.File(p.name, p.read_bytes()) for p in paths or []]


def _document(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise InvalidInput(f"{path}: not valid YAML or JSON: {error}") from error
    if not isinstance(data, dict):
        raise InvalidInput(f"{path}: must hold one mapping (the request's fields)")
    return data


def _step(step: assistance.StepResult) -> None:
    out.print(f"request [bold]{step.request_id}[/] is {step.state}")
    if step.issued is not None:
        for partner in step.issued.released_to:
            notified = "notified" if partner in step.issued.notified else "will pull it"
            out.print(f"  sent to {partner} ({notified})")


@app.command("draft")
def draft_cmd(
    request: Annotated[Path, typer.Argument(help="YAML or JSON file with the request's fields.")],
    files: FilesOption = None,
    as_user: AsOption = None,
    db: DbOption = None,
) -> None:
    """Draft a request (drafting the same reference again replaces the draft)."""
    node = node_for(db)
    _step(
        assistance.draft_request(
            node, acting(node, as_user), _document(request), files=_files(files)
        )
    )


@app.command("send")
def send_cmd(request_id: str, as_user: AsOption = None, db: DbOption = None) -> None:
    """Send a draft to the partner it is addressed to (sending again changes nothing)."""
    node = node_for(db)
    _step(assistance.send_request(node, acting(node, as_user), request_id))


@app.command("withdraw")
def withdraw_cmd(
    request_id: str,
    reason: Annotated[str, typer.Option(help="Why the request is withdrawn.")],
    as_user: AsOption = None,
    db: DbOption = None,
) -> None:
    """Withdraw a request (the partner is told)."""
    node = node_for(db)
    _step(assistance.withdraw_request(node, acting(node, as_user), request_id, reason=reason))


@app.command("reply")
def reply_cmd(
    request_id: str,
    state: Annotated[
        str,
        typer.Option(
            help="received, acknowledged, in_progress, answered, partially_answered, refused."
        ),
    ],
    findings: Annotated[str | None, typer.Option(help="What was found.")] = None,
    ground: Annotated[
        str | None,
        typer.Option(
            help="A refusal's ground: sovereignty, public-order, security, legal-prohibition, "
            "trade-secret, disproportionate."
        ),
    ] = None,
    history_of: Annotated[
        list[str] | None,
        typer.Option("--history-of", help="Attach this trader's declarations (repeatable)."),
    ] = None,
    files: FilesOption = None,
    as_user: AsOption = None,
    db: DbOption = None,
) -> None:
    """Reply to a partner's request; repeating ``answered`` corrects the answer."""
    node = node_for(db)
    _step(
        assistance.reply(
            node,
            acting(node, as_user),
            request_id,
            state,
            findings=findings,
            ground=ground,
            history_of=history_of or (),
            files=_files(files),
        )
    )


def _table(title: str, items: list[CaseView]) -> Table:
    table = Table(title=title)
    for column in ("request", "reference", "partner", "measure", "state", "deadline", "days"):
        table.add_column(column)
    for c in items:
        days = f"{c.days_left} left" if c.days_left >= 0 else f"{-c.days_left} late"
        flag = f" ({c.reminder})" if c.reminder else ""
        table.add_row(
            c.request_id, c.reference, c.partner, c.measure, c.state + flag, str(c.deadline), days
        )
    return table


@app.command("list")
def list_cmd(
    incoming: Annotated[
        bool, typer.Option("--incoming/--outgoing", help="Partners' requests, or this node's.")
    ] = True,
    open_only: Annotated[bool, typer.Option("--open", help="Only those not answered.")] = False,
    limit: Annotated[int, typer.Option(min=1, max=500)] = 50,
    offset: Annotated[int, typer.Option(min=0)] = 0,
    as_user: AsOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """The work list: requests received (or sent), the nearest deadline first."""
    node = node_for(db)
    direction: assistance_views.Direction = "incoming" if incoming else "outgoing"
    page = assistance_views.work_list(
        node, acting(node, as_user), direction, open_only=open_only, limit=limit, offset=offset
    )
    if as_json:
        print(page.model_dump_json())
        return
    out.print(_table(f"{direction.capitalize()} requests: {page.total:,}", page.items))


@app.command("show")
def show_cmd(request_id: str, as_user: AsOption = None, db: DbOption = None) -> None:
    """One request with its reply (JSON)."""
    node = node_for(db)
    print(
        assistance_views.case_detail(node, acting(node, as_user), request_id).model_dump_json(
            indent=2
        )
    )


@app.command("reminders")
def reminders_cmd(
    as_user: AsOption = None, db: DbOption = None, as_json: JsonOption = False
) -> None:
    """Open requests, both ways, due soon or overdue."""
    node = node_for(db)
    found = assistance_views.reminders(node, acting(node, as_user))
    if as_json:
        print(json.dumps([c.model_dump(mode="json") for c in found]))
        return
    out.print(_table(f"Due soon or overdue: {len(found)}", found))


@app.command("figures")
def figures_cmd(as_user: AsOption = None, db: DbOption = None, as_json: JsonOption = False) -> None:
    """Per partner: requests sent and received, median answer days, share answered in time."""
    node = node_for(db)
    found = assistance_views.partner_figures(node, acting(node, as_user))
    if as_json:
        print(json.dumps([asdict(f) for f in found]))
        return
    table = Table("partner", "sent", "received", "answered", "median days", "in time")
    for f in found:
        table.add_row(
            f.partner,
            str(f.sent),
            str(f.received),
            str(f.answered),
            "-" if f.median_answer_days is None else f"{f.median_answer_days:.1f}",
            "-" if f.answered_in_time is None else f"{f.answered_in_time:.0%}",
        )
    out.print(table)


@app.command("file")
def file_cmd(
    sha256: str,
    to: Annotated[Path, typer.Option("--to", help="Where to write the file.")],
    as_user: AsOption = None,
    db: DbOption = None,
) -> None:
    """Write an attachment held here (by its SHA-256) to a file."""
    node = node_for(db)
    content, _ = assistance_views.attachment_content(node, acting(node, as_user), sha256)
    to.write_bytes(content)
    out.print(f"{len(content):,} bytes written to {to}")
