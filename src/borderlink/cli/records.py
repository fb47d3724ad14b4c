"""``borderlink records``: record seizures and alerts here, revoke them, see partners' alerts."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer
import yaml
from rich.console import Console
from rich.table import Table

from borderlink.cli.options import CLI, DbOption, node_for
from borderlink.errors import InvalidInput
from borderlink.services.cooperation.receiving import purge_expired
from borderlink.services.cooperation.records import (
    IssueResult,
    active_alerts,
    issue_document,
    revoke,
)
from borderlink.services.exchange.taxii import partner_bundle

app = typer.Typer(
    help="Seizures and alerts: record, release to partners, revoke; partners' active alerts.",
    no_args_is_help=True,
)
out = Console()
JsonOption = Annotated[bool, typer.Option("--json", help="Print one JSON object.")]
PurposeOption = Annotated[str, typer.Option(help="Purpose of the release (agreements check it)")]


def _read(file: Path) -> dict[str, object]:
    try:
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise InvalidInput(f"cannot read {file}: {error}") from error
    if not isinstance(data, dict):
        raise InvalidInput(f"{file} must hold one mapping")
    return data


@app.command("seizure")
def seizure_cmd(
    file: Annotated[Path, typer.Argument(help="The seizure as YAML or JSON")],
    alert_days: Annotated[
        int, typer.Option(help="Also issue an alert valid this many days (0: none)")
    ] = 90,
    purpose: PurposeOption = "risk-management",
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Record a seizure made here and release it (and its alert) to partners as agreed."""
    results = issue_document(
        node_for(db), CLI, "seizure", _read(file), purpose=purpose, alert_days=alert_days or None
    )
    _report(results, as_json)


@app.command("alert")
def alert_cmd(
    file: Annotated[Path, typer.Argument(help="The alert as YAML or JSON")],
    purpose: PurposeOption = "risk-management",
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Issue an alert and release it to partners as agreed."""
    _report(issue_document(node_for(db), CLI, "alert", _read(file), purpose=purpose), as_json)


@app.command("aeo")
def aeo_cmd(
    file: Annotated[Path, typer.Argument(help="The AEO status as YAML or JSON")],
    purpose: PurposeOption = "risk-management",
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Share a trader's AEO status with partners whose agreements cover aeo-status."""
    results = issue_document(node_for(db), CLI, "aeo-status", _read(file), purpose=purpose)
    _report(results, as_json)


@app.command("revoke")
def revoke_cmd(
    record_id: str,
    reason: Annotated[str, typer.Option(help="Why (audit log; travels nowhere else)")],
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Withdraw a record issued here: partners that got it receive a signed tombstone."""
    _report([revoke(node_for(db), CLI, record_id, reason=reason)], as_json)


@app.command("alerts")
def alerts_cmd(
    on: Annotated[str | None, typer.Option(help="Date (YYYY-MM-DD); default today")] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Partners' alerts in force on a date: what the risk engine matches declarations against."""
    day = dt.date.fromisoformat(on) if on else dt.datetime.now(dt.UTC).date()
    found = active_alerts(node_for(db), day)
    if as_json:
        print(json.dumps({"alerts": [a.model_dump(mode="json") for a in found]}))
        return
    table = Table("alert", "partner", "title", "valid", "HS", "origins", "traders")
    for a in found:
        table.add_row(
            a.alert_id,
            a.partner_id,
            a.title,
            f"{a.valid_from} → {a.valid_until}",
            ", ".join(a.hs_codes),
            ", ".join(a.origins),
            ", ".join(a.trader_ids),
        )
    out.print(table)


def _report(results: list[IssueResult], as_json: bool) -> None:
    if as_json:
        print(json.dumps({"results": [asdict(r) for r in results]}))
        return
    for r in results:
        out.print(f"[bold]{r.record_id}[/]")
        out.print(f"  released to: {', '.join(r.released_to) or 'nobody'}")
        for partner, why in r.denied.items():
            out.print(f"  not to {partner}: {why}")
        for partner, why in r.notice_failures.items():
            out.print(f"  [yellow]notice to {partner} failed[/] ({why}); it will get it by polling")


@app.command("export")
def export_cmd(
    partner: Annotated[str, typer.Option(help="The partner whose view to print")],
    output: Annotated[
        str, typer.Option("--format", help="stix: the STIX 2.1 bundle (the only format)")
    ] = "stix",
    base_url: Annotated[
        str, typer.Option(help="This node's URL as partners reach it (for the schemas' URLs)")
    ] = "http://127.0.0.1:8000",
    db: DbOption = None,
) -> None:
    """Print what PARTNER reads from its collection here (after redaction, with the definition
    objects), as one STIX bundle: the pages the TAXII endpoint serves it, put together."""
    if output != "stix":
        raise InvalidInput(f"unknown format {output!r}; have: stix", field="format")
    print(json.dumps(partner_bundle(node_for(db), CLI, partner, base_url=base_url), indent=2))


@app.command("purge")
def purge_cmd(db: DbOption = None) -> None:
    """Delete received records past their agreement's retention limit (receipts and log stay)."""
    count = purge_expired(node_for(db))
    out.print(f"{count} received record(s) past retention deleted")
