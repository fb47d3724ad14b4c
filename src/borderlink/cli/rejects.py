"""``borderlink rejects``: every rejected record with its record number, field and reason."""

from __future__ import annotations

import json
from collections.abc import Mapping
from types import MappingProxyType
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from borderlink.cli.options import CLI, DbOption, node_for
from borderlink.errors import InvalidInput
from borderlink.services.ingest.rejects import (
    correct_reject,
    get_reject,
    list_rejects,
    reason_counts,
    retry_rejects,
)

app = typer.Typer(help="Rejected records: list, show, fix, retry.", no_args_is_help=True)
out = Console()

# A terminal shows this much of one value (``--json`` gives all of it).
SHOWN = 200
_CONTROLS: Mapping[int, str] = MappingProxyType(
    {c: f"\\x{c:02x}" for c in [*range(32), 127] if c not in (9, 10)}
)


def shown(value: object, limit: int = SHOWN) -> str:
    """A value as a terminal may print it: control characters escaped (no NUL, no escape
    sequence reaches the screen), no markup, at most ``limit`` characters."""
    text = "" if value is None else str(value)
    if len(text) > limit:
        text = f"{text[:limit]}… ({len(text) - limit:,} more characters)"
    return escape(text.translate(_CONTROLS))


@app.command("list")
def list_cmd(
    reason: Annotated[str | None, typer.Option(help="Only this reason code.")] = None,
    batch: Annotated[str | None, typer.Option(help="Only this ingest batch id.")] = None,
    status: Annotated[str, typer.Option(help="open, resolved or all.")] = "open",
    limit: Annotated[int, typer.Option(min=1)] = 50,
    offset: Annotated[int, typer.Option(min=0)] = 0,
    as_json: Annotated[bool, typer.Option("--json")] = False,
    db: DbOption = None,
) -> None:
    """List rejected records, oldest first."""
    node = node_for(db)
    records, total = list_rejects(
        node,
        CLI,
        status=None if status == "all" else status,
        reason=reason,
        batch_id=batch,
        limit=limit,
        offset=offset,
    )
    if as_json:
        print(json.dumps({"total": total, "records": [r.model_dump(mode="json") for r in records]}))
        return
    table = Table(title=f"Rejected records ({status}): {total:,}")
    for column in ("id", "source", "record", "declaration", "field", "reason", "message"):
        table.add_column(column)
    for record in records:
        issue = record.issues[0]
        more = f" (+{len(record.issues) - 1})" if len(record.issues) > 1 else ""
        table.add_row(
            str(record.id),
            shown(record.source.rsplit("/", 1)[-1]),
            str(record.record_no),
            shown(record.declaration_id, 40),
            issue.field,
            issue.reason,
            shown(issue.message) + more,
        )
    out.print(table)
    if total > offset + len(records):
        out.print(
            f"showing {offset + 1}-{offset + len(records)}; next: --offset {offset + len(records)}"
        )
    counts = reason_counts(node, CLI, status=None if status == "all" else status)
    if counts:
        out.print("by reason: " + ", ".join(f"{k} {v:,}" for k, v in sorted(counts.items())))


@app.command("show")
def show_cmd(reject_id: int, db: DbOption = None) -> None:
    """One rejected record: every issue and the raw record as read."""
    record = get_reject(node_for(db), CLI, reject_id)
    out.print(
        f"[bold]reject {record.id}[/] · {shown(record.source)} record {record.record_no} · "
        f"{record.status}"
    )
    issues = Table("field", "reason", "message")
    for issue in record.issues:
        issues.add_row(issue.field, issue.reason, shown(issue.message))
    out.print(issues)
    raw = Table("column", "value", title="raw record")
    for key, value in record.raw.items():
        raw.add_row(shown(key, 64), shown(value))
    out.print(raw)


@app.command("fix")
def fix_cmd(
    reject_id: Annotated[int, typer.Argument(help="The rejected record to correct.")],
    changes: Annotated[
        list[str],
        typer.Option("--set", help="FIELD=VALUE, a field of the record as it was read (repeat)."),
    ],
    reason: Annotated[str | None, typer.Option(help="Why, for the audit log.")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
    db: DbOption = None,
) -> None:
    """Correct fields of a rejected record and retry it (before and after are audited)."""
    pairs = {}
    for change in changes:
        name, sep, value = change.partition("=")
        if not sep or not name:
            raise InvalidInput(f"--set takes FIELD=VALUE, not {change!r}", field="set")
        pairs[name] = value
    summary = correct_reject(node_for(db), CLI, reject_id, pairs, reason=reason)
    if as_json:
        print(summary.model_dump_json())
        return
    if summary.resolved:
        out.print(f"[green]record {reject_id} corrected and accepted[/]")
    else:
        reasons = ", ".join(sorted(summary.reasons)) or "?"
        out.print(f"[red]record {reject_id} corrected, still rejected[/] ({reasons})")


@app.command("retry")
def retry_cmd(
    ids: Annotated[
        list[int] | None, typer.Argument(help="Reject ids (default: every open one).")
    ] = None,
    reason: Annotated[str | None, typer.Option(help="Only rejects with this reason.")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
    db: DbOption = None,
) -> None:
    """Validate open rejects again with today's reference data and mapping."""
    summary = retry_rejects(node_for(db), CLI, ids=ids or None, reason=reason)
    if as_json:
        print(summary.model_dump_json())
        return
    out.print(
        f"retried {summary.retried:,}: [green]{summary.resolved:,} resolved[/], "
        f"[red]{summary.still_rejected:,} still rejected[/]"
    )
    for reason_code, count in sorted(summary.reasons.items()):
        out.print(f"  {reason_code}: {count:,}")
