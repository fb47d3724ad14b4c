"""``borderlink exchange``: pull from partners now; ``borderlink log``: the verifiable log."""

from __future__ import annotations

import json
import shlex
import tempfile
import time
from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from borderlink.cli.options import DbOption, node_for
from borderlink.errors import InvalidInput
from borderlink.services.cooperation.partners import node_identity
from borderlink.services.cooperation.sharing import flat_view
from borderlink.services.exchange.log import prove_record, signed_tree_head, verify_log
from borderlink.services.exchange.sync import sync_all, sync_partner
from borderlink.services.node import Node

app = typer.Typer(help="Exchange with partner nodes (TAXII pull).", no_args_is_help=True)
log_app = typer.Typer(help="The node's verifiable (Merkle) log.", no_args_is_help=True)
out = Console()
JsonOption = Annotated[bool, typer.Option("--json", help="Print one JSON object.")]


@app.command("sync")
def sync_cmd(
    partner: Annotated[str | None, typer.Argument(help="One partner (default: all)")] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Pull what partners released to this node since the last sync (resumable)."""
    node = node_for(db)
    results = [sync_partner(node, partner)] if partner else sync_all(node)
    if as_json:
        print(json.dumps({"results": [asdict(r) for r in results]}))
        return
    for r in results:
        out.print(
            f"{r.partner_id}: {r.accepted} accepted, {r.duplicates} duplicates, "
            f"{len(r.rejected)} refused, cursor {r.cursor}, log witnessed at {r.witnessed_size}"
        )
        for what, why in r.rejected.items():
            out.print(f"  [red]refused[/] {what[:16]}: {why}")


@app.command("poll")
def poll_cmd(
    every: Annotated[float, typer.Option(help="Seconds between rounds")] = 60.0,
    rounds: Annotated[int, typer.Option(help="Stop after this many rounds (0: never)")] = 0,
    db: DbOption = None,
) -> None:
    """Pull from every partner on a schedule (notices make it faster; this makes it certain)."""
    node = node_for(db)
    done = 0
    while True:
        for r in sync_all(node):
            if r.accepted or r.rejected:
                out.print(
                    f"{r.partner_id}: {r.accepted} accepted, {len(r.rejected)} refused "
                    f"(cursor {r.cursor})"
                )
        done += 1
        if rounds and done >= rounds:
            return
        time.sleep(every)


@log_app.command("verify")
def verify_cmd(
    record: Annotated[str | None, typer.Option(help="Also prove this record's entries")] = None,
    head: Annotated[
        list[str] | None,
        typer.Option(help="A signed tree head of this node a partner holds (repeatable)"),
    ] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Recompute the log; check it against every tree head this node signed (and --head ones)."""
    node = node_for(db)
    identity = node_identity(node)
    report = verify_log(node, identity.public_key, head or ())
    proofs = [asdict(p) for p in prove_record(node, record)] if record else []
    if as_json:
        print(json.dumps({**asdict(report), "inclusion": proofs}))
        return
    out.print(
        f"log verified: {report.tree_size} entries, root {report.root_hash}, "
        f"consistent with {report.heads_checked} signed head(s)"
    )
    for p in proofs:
        out.print(f"  {record}: entry {p['leaf_index']} ({p['entry']['kind']}) proven included")


@log_app.command("head")
def head_cmd(db: DbOption = None) -> None:
    """Sign and print the log's current tree head (what partners witness)."""
    node = node_for(db)
    head, token = signed_tree_head(node, node_identity(node))
    print(json.dumps({"tree_size": head.tree_size, "root_hash": head.root_hash, "token": token}))


@app.command("demo")
def demo_cmd(
    directory: Annotated[
        Path | None, typer.Option("--dir", help="Where the two nodes live (default: a temp dir)")
    ] = None,
    serve: Annotated[bool, typer.Option(help="Keep both nodes serving until Ctrl-C")] = False,
) -> None:
    """Two partner nodes on loopback: a seizure at Atlantis becomes a flagged declaration in
    Borduria, redacted as their agreement says."""
    root = directory or Path(tempfile.mkdtemp(prefix="borderlink-exchange-demo-"))
    if root.exists() and any(root.iterdir()):
        raise InvalidInput(f"{root} is not empty: the demo starts from scratch", field="dir")
    partner_demo(root, serve=serve)


def partner_demo(root: Path, *, serve: bool = False, show: bool = True) -> dict[str, Any]:
    """Start Atlantis and Borduria on loopback under ``root``, record a seizure at Atlantis and
    show what Borduria received and flagged; then Atlantis's assistance request and Borduria's
    answer, and their joint operation (also a step of ``borderlink demo``). Returns the
    assistance and operation figures; ``show=False`` prints nothing (``demo --json``)."""
    from borderlink.demo import assistance as assistance_demo
    from borderlink.demo import partners as exchange_demo
    from borderlink.server.app import create_app
    from borderlink.server.loopback import LoopbackServer
    from borderlink.settings import get_settings

    def say(text: str) -> None:
        if show:
            out.print(text)

    nodes = exchange_demo.demo_nodes(root, get_settings())
    servers = {n: LoopbackServer(create_app(node=node)).start() for n, node in nodes.items()}
    figures: dict[str, Any] = {}
    try:
        agreement = exchange_demo.link(nodes, {n: s.url for n, s in servers.items()})
        say(f"[bold]{agreement.title}[/] in force ({', '.join(sorted(agreement.categories))})")
        for n, s in servers.items():
            say(f"  {exchange_demo.NAMES[n]} ({n}) serves TAXII at {s.url}/taxii2/")
        results = exchange_demo.seize(nodes["atlantis"])
        say(f"Atlantis records seizure {results[0].record_id} and the alert it implies")
        done = exchange_demo.outcome_at(nodes["borduria"], expected=len(results), timeout=5.0)
        if len(done.received) < len(results):  # the notice is a hint; a sync is the guarantee
            sync_partner(nodes["borduria"], "atlantis")
            done = exchange_demo.outcome_at(nodes["borduria"], expected=len(results))
        for obj in done.received:
            removed = ", ".join(flat_view(obj).get("redacted", [])) or "nothing"
            say(f"Borduria received {obj['type']} {obj['id']} (removed: {removed})")
        for row in done.hits.iter_rows(named=True):
            say(f"[bold red]flagged[/] {row['declaration_id']}: {row['reason']}")
        assistance_demo.agree(nodes)
        asked = assistance_demo.request_and_answer(nodes["atlantis"], nodes["borduria"])
        say(
            f"Atlantis asked Borduria about trader {assistance_demo.TRADER} ({asked['reference']}):"
            f" {asked['state_at_atlantis']}, {asked['history_declarations']} declarations "
            f"attached (removed: {', '.join(asked['redacted']) or 'nothing'})"
        )
        operation = assistance_demo.joint_operation(nodes["atlantis"], nodes["borduria"])
        say(
            f"Joint operation {operation['code']} ({operation['state']}) runs "
            f"{', '.join(operation['shared_profiles'])} at both nodes; results from "
            f"{', '.join(sorted(operation['results']))}"
        )
        figures = {"assistance": asked, "operations": operation}
        say(f"nodes' files: {root}")
        if serve:
            say("serving; Ctrl-C to stop")
            while True:
                time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        for s in servers.values():
            s.stop()
        _servable(nodes, {n: s.port for n, s in servers.items()}, show=show)
    return figures


def _servable(nodes: dict[str, Node], ports: dict[str, int], *, show: bool = True) -> None:
    """How to open each partner node afterwards, with its own demo accounts; its file is
    checkpointed first. On the same port its partner still reaches it there."""
    from borderlink.services.accounts.demo import demo_accounts
    from borderlink.services.database import close_database

    for node_id, node in nodes.items():
        made = demo_accounts(node)
        close_database(node.engine)
        if not show:
            continue
        settings = node.settings
        folder = Path(settings.data_dir).resolve()
        out.print(
            f"open {settings.node_name}: [cyan]BORDERLINK_DATA_DIR={folder} "
            f"BORDERLINK_NODE_ID={node_id} BORDERLINK_NODE_NAME={shlex.quote(settings.node_name)}"
            f" borderlink serve --port {ports[node_id]}[/]",
            soft_wrap=True,  # a command to copy: never folded onto two lines
        )
        if made:
            accounts = ", ".join(f"{u} / {p}" for u, p in sorted(made.items()))
            out.print(f"  accounts: {accounts}", soft_wrap=True)
