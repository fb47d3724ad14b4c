"""``borderlink audit``: chain the audit log into the node's verifiable log, and verify it."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Annotated

import typer
from rich.console import Console

from borderlink.cli.options import CLI, DbOption, node_for
from borderlink.errors import IntegrityFailure
from borderlink.services.accounts.audit_seal import own_identity, seal, verify_audit

app = typer.Typer(
    help="The audit log, chained into the node's verifiable log.", no_args_is_help=True
)
out = Console()
JsonOption = Annotated[bool, typer.Option("--json", help="Print one JSON object.")]


@app.command("seal")
def seal_cmd(
    limit: Annotated[int | None, typer.Option(min=1, help="Chain at most this many")] = None,
    sign: Annotated[
        bool, typer.Option(help="Sign a tree head after sealing (when the node has a key)")
    ] = True,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Chain every audit entry not yet in the log (oldest first); sign a tree head over them."""
    node = node_for(db)
    identity = own_identity(node) if sign else None
    report = seal(node, principal=CLI, limit=limit, identity=identity)
    head = report.head
    if as_json:
        print(
            json.dumps(
                {
                    "chained": report.chained,
                    "tree_size": head.tree_size if head else None,
                    "root_hash": head.root_hash if head else None,
                }
            )
        )
        return
    out.print(f"{report.chained} audit entr{'y' if report.chained == 1 else 'ies'} chained")
    if head:
        out.print(f"signed tree head: {head.tree_size} entries, root {head.root_hash}")
    elif sign:
        out.print("no node key: no tree head signed (borderlink node init)")


@app.command("verify")
def verify_cmd(db: DbOption = None, as_json: JsonOption = False) -> None:
    """Recompute every chained entry's leaf from the audit log; check the log and its heads."""
    node = node_for(db)
    identity = own_identity(node)
    report = verify_audit(node, identity.public_key if identity else None, principal=CLI)
    if as_json:
        print(json.dumps({**asdict(report), "ok": report.ok}))
    else:
        out.print(
            f"{report.entries} audit entries: {report.chained} chained "
            f"({report.committed} under the signed head of size {report.head_size}), "
            f"{report.unchained} not yet chained; log of {report.tree_size} entries"
        )
        for m in report.mismatches:
            out.print(f"  [red]audit entry {m.entry_id}[/] (leaf {m.leaf_index}): {m.problem}")
        if report.log_problem:
            out.print(f"  [red]log[/]: {report.log_problem}")
    if not report.ok:
        ids = ", ".join(str(m.entry_id) for m in report.mismatches[:20])
        raise IntegrityFailure(
            f"the audit log does not verify: {len(report.mismatches)} entr"
            f"{'y' if len(report.mismatches) == 1 else 'ies'} mismatched ({ids})"
            + (f"; log: {report.log_problem}" if report.log_problem else "")
        )
