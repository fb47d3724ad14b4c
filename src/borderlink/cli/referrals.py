"""``borderlink referrals`` and ``borderlink agencies``: referrals to other border agencies and
the rules that route them.

The command line is the node operator's: it sees every referral, unless ``--as USER`` reads
with that user's rights. Answering always names the agency officer who answers (``--as``).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from borderlink.cli.options import CLI, DbOption, acting, node_for
from borderlink.model import ReferralAnswer, ReferralStatus
from borderlink.services.coordination import agency_rules, referrals, routing

app = typer.Typer(
    help="Referrals to other agencies: route, list, show, answer, times.", no_args_is_help=True
)
agencies = typer.Typer(help="Agency routing rules: load, list.", no_args_is_help=True)
out = Console()

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON on stdout.")]
AsOption = Annotated[
    str | None, typer.Option("--as", help="Act as this user (with their role and agency).")
]
DateOption = Annotated[dt.datetime | None, typer.Option(formats=["%Y-%m-%d"])]


@agencies.command("load")
def load_cmd(
    file: Annotated[Path | None, typer.Argument(help="YAML or JSON rules file.")] = None,
    example: Annotated[
        bool, typer.Option("--example", help="Load the built-in example rule set.")
    ] = False,
    db: DbOption = None,
) -> None:
    """Add the rules in FILE, or replace them by name (loading the same file twice changes
    nothing)."""
    if (file is None) == (not example):
        raise typer.BadParameter("give a FILE or --example")
    node = node_for(db)
    changes = (
        agency_rules.load_builtin(node, CLI)
        if file is None
        else agency_rules.load_rules_file(node, CLI, file)
    )
    for change in changes:
        out.print(f"rule [bold]{change.name}[/] → {change.agency}: {change.change}")


@agencies.command("list")
def rules_cmd(db: DbOption = None, as_json: JsonOption = False) -> None:
    """Every routing rule, by agency."""
    found = agency_rules.list_rules(node_for(db), CLI)
    if as_json:
        print(json.dumps([v.model_dump(mode="json") for v in found]))
        return
    table = Table("name", "agency", "active", "condition", "reason")
    for v in found:
        r = v.rule
        table.add_row(r.name, r.agency, "yes" if r.active else "no", r.condition, r.reason)
    out.print(table)


@app.command("route")
def route_cmd(
    since: DateOption = None,
    until: DateOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Refer stored declarations (declared in [--since, --until]) where the active rules say;
    a declaration is referred to an agency once, however often this runs."""
    node = node_for(db)
    if not agency_rules.active_rules(node):
        out.print("no active agency rules: nothing to route (borderlink agencies load FILE)")
        return
    summary = routing.route_declarations(
        node, CLI, since=since.date() if since else None, until=until.date() if until else None
    )
    if as_json:
        print(json.dumps(summary.figures()))
        return
    out.print(
        f"{summary.declarations:,} declarations checked: {summary.referred:,} referred now, "
        f"{summary.already:,} referred before"
    )
    for agency, n in sorted(summary.agencies.items()):
        out.print(f"  {agency}: {n:,}")


@app.command("list")
def list_cmd(
    agency: Annotated[str | None, typer.Option(help="Only this agency.")] = None,
    status: Annotated[ReferralStatus | None, typer.Option(help="Only this status.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=500)] = 50,
    offset: Annotated[int, typer.Option(min=0)] = 0,
    as_user: AsOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Referrals, waiting ones first."""
    node = node_for(db)
    flt = referrals.ReferralFilter(agency=agency, status=status)
    page = referrals.list_referrals(node, acting(node, as_user), flt, limit=limit, offset=offset)
    if as_json:
        print(page.model_dump_json())
        return
    table = Table(title=f"Referrals: {page.total:,}")
    for column in ("id", "declaration", "agency", "status", "rules", "finding"):
        table.add_column(column)
    for r in page.items:
        table.add_row(
            str(r.referral_id),
            r.declaration_id,
            r.agency,
            r.status.value,
            ", ".join(r.rules),
            r.finding or "",
        )
    out.print(table)


@app.command("show")
def show_cmd(referral_id: int, as_user: AsOption = None, db: DbOption = None) -> None:
    """One referral with its goods (JSON)."""
    node = node_for(db)
    found = referrals.get_referral(node, acting(node, as_user), referral_id)
    print(found.model_dump_json(indent=2))


@app.command("answer")
def answer_cmd(
    referral_id: int,
    status: Annotated[ReferralStatus, typer.Option(help="acknowledged, cleared, held, rejected.")],
    as_user: Annotated[str, typer.Option("--as", help="The agency officer who answers.")],
    finding: Annotated[str | None, typer.Option(help="What was found or decided.")] = None,
    db: DbOption = None,
) -> None:
    """Answer a referral as an officer of the agency it is addressed to."""
    node = node_for(db)
    done = referrals.answer_referral(
        node, acting(node, as_user), referral_id, ReferralAnswer(status=status, finding=finding)
    )
    out.print(f"referral {done.referral_id} ({done.agency}) is {done.status.value}")


@app.command("times")
def times_cmd(as_user: AsOption = None, db: DbOption = None, as_json: JsonOption = False) -> None:
    """Clearance times: hours from referral to response, decision and closing (p50/p90)."""
    node = node_for(db)
    found = referrals.clearance(node, acting(node, as_user))
    if as_json:
        print(json.dumps([t.model_dump() for t in found]))
        return
    table = Table(
        "agency", "referrals", "waiting", "response p50", "decision p50/p90", "closed p50/p90"
    )

    def h(value: float | None) -> str:
        return "-" if value is None else f"{value:.1f}"

    for t in found:
        table.add_row(
            t.agency,
            str(t.referrals),
            str(t.pending),
            h(t.response_p50_hours),
            f"{h(t.answer_p50_hours)} / {h(t.answer_p90_hours)}",
            f"{h(t.close_p50_hours)} / {h(t.close_p90_hours)}",
        )
    out.print(table)
