"""``borderlink ingest FILE``: load declarations, with a progress bar and a summary."""

from __future__ import annotations

import asyncio
import json
import signal
import threading
from collections import Counter
from dataclasses import asdict
from pathlib import Path
from types import MappingProxyType
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from borderlink.cli.options import CLI, DbOption, node_for
from borderlink.errors import InvalidInput
from borderlink.model import IngestSummary
from borderlink.services.ingest.amend import AmendmentIn
from borderlink.services.ingest.files import formats, ingest_file, reader
from borderlink.services.ingest.stream import (
    MAX_BATCH,
    StreamOptions,
    StreamSummary,
    consume,
    parse_address,
)
from borderlink.services.ingest.upload import count_records
from borderlink.services.ingest.versions import amend_declaration
from borderlink.services.node import Node

out = Console()
err = Console(stderr=True)


# What a directory given to ``ingest`` contributes, per format: the files with these suffixes.
SUFFIXES = MappingProxyType(
    {
        "csv": (".csv",),
        "json": (".json", ".jsonl", ".ndjson"),
        "wco-dm-xml": (".xml",),
        "cusdec": (".edi", ".edifact", ".txt"),
    }
)


def files_in(folder: Path, fmt: str) -> list[Path]:
    """The files of ``folder`` a format reads (every file for a format not listed), sorted."""
    wanted = SUFFIXES.get(fmt)
    return sorted(
        p
        for p in folder.iterdir()
        if p.is_file() and (wanted is None or p.suffix.lower() in wanted)
    )


DurableOption = Annotated[
    str, typer.Option("--durable", help="With --from: the durable consumer's name.")
]
ReplyOption = Annotated[
    str | None,
    typer.Option(
        "--reply-to", help="With --from: where each decision goes (default: SUBJECT.channel)."
    ),
]
StreamOption = Annotated[
    str | None,
    typer.Option(
        "--stream",
        help="With --from: the JetStream stream (default: the one capturing SUBJECT, "
        "created if none does).",
    ),
]
BatchOption = Annotated[
    int,
    typer.Option("--batch", min=1, max=MAX_BATCH, help="With --from: messages per batch."),
]
IdleOption = Annotated[
    float | None,
    typer.Option(
        "--idle-exit", min=0, help="With --from: stop after this many seconds without messages."
    ),
]
AckWaitOption = Annotated[
    float,
    typer.Option(
        "--ack-wait",
        min=1,
        help="With --from: seconds the server waits for an acknowledgement before delivering "
        "a message again (how soon a killed consumer's last batch comes back).",
    ),
]
MaxOption = Annotated[
    int | None,
    typer.Option("--max-messages", min=1, help="With --from: stop after this many messages."),
]


def consume_stream(node: Node, source: str, options: StreamOptions, as_json: bool) -> None:
    """Consume until stopped (Ctrl-C, SIGTERM, --idle-exit, --max-messages): each batch is
    committed, answered on the reply subject, then acknowledged, so nothing is lost."""
    address = parse_address(source)
    stop = threading.Event()
    previous = signal.signal(signal.SIGTERM, lambda *_: stop.set())

    def progress(decisions: list[dict[str, Any]]) -> None:
        if not as_json:
            counts = Counter(d["status"] for d in decisions)
            err.print(f"{address}: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))

    try:
        summary = asyncio.run(
            consume(node, CLI, address, options, should_stop=stop.is_set, on_batch=progress)
        )
    except KeyboardInterrupt:
        err.print("stopped: what was not acknowledged is delivered again on the next start")
        raise typer.Exit(130) from None
    finally:
        signal.signal(signal.SIGTERM, previous)
    render_stream(summary, str(address), as_json)


def render_stream(summary: StreamSummary, source: str, as_json: bool) -> None:
    if as_json:
        print(json.dumps(asdict(summary)))
        return
    out.print(f"consumed {source}")
    table = Table(show_header=False)
    table.add_row("messages", f"{summary.messages:,}")
    table.add_row("[green]accepted", f"{summary.accepted:,}")
    table.add_row("[red]rejected", f"{summary.rejected:,}")
    table.add_row("[yellow]duplicates", f"{summary.duplicates:,}")
    for channel, count in sorted(summary.channels.items()):
        table.add_row(f"channel {channel}", f"{count:,}")
    out.print(table)


# long: a command's options are its signature (the stream's are declared above)
def ingest(
    file: Annotated[
        Path | None,
        typer.Argument(help="The file to load, or a directory (each of its files)."),
    ] = None,
    fmt: Annotated[
        str,
        typer.Option(
            "--format",
            "-f",
            help="The input format: a registered reader (csv, json, wco-dm-xml, or an add-on's).",
            callback=lambda fmt: reader(fmt).name,  # unknown: the registry's error, naming all
            autocompletion=formats,
        ),
    ] = "csv",
    mapping: Annotated[
        str | None,
        typer.Option(help="A registered mapping name (kcs, borderlink, ...) or a YAML file."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
    db: DbOption = None,
    source: Annotated[
        str | None,
        typer.Option(
            "--from",
            help="Consume a NATS JetStream subject instead of a file: nats://HOST:PORT/SUBJECT "
            "(see the --durable, --reply-to, --stream, --batch, --idle-exit, --max-messages "
            "options).",
        ),
    ] = None,
    durable: DurableOption = "borderlink-ingest",
    reply_to: ReplyOption = None,
    stream_name: StreamOption = None,
    batch: BatchOption = MAX_BATCH,
    idle_exit: IdleOption = None,
    max_messages: MaxOption = None,
    ack_wait: AckWaitOption = 10.0,
) -> None:
    """Load declarations; accepted + rejected (kept with reasons) + duplicates = rows."""
    node = node_for(db)
    if (file is None) == (source is None):
        raise InvalidInput("give a FILE (or directory) or --from nats://...", field="file")
    if source is not None:
        options = StreamOptions(
            durable=durable,
            stream=stream_name,
            reply_subject=reply_to,
            batch=batch,
            idle_exit_s=idle_exit,
            max_messages=max_messages,
            ack_wait_s=ack_wait,
        )
        consume_stream(node, source, options, as_json)
        return
    assert file is not None
    if file.is_dir():
        _ingest_folder(node, file, fmt, mapping, as_json)
        return
    total = count_records(file, fmt)
    with Progress(
        TextColumn("[bold]ingest[/] {task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=True,  # the summary (or the one-line error) is what stays on the screen
        disable=as_json and not err.is_terminal,
    ) as bar:
        task = bar.add_task(file.name, total=total)
        summary = ingest_file(
            node,
            CLI,
            file,
            format=fmt,
            mapping=mapping,
            progress=lambda rows: bar.advance(task, rows),
        )
    if as_json:
        print(json.dumps(summary.public()))
        return
    render(summary)


def _ingest_folder(node: Node, folder: Path, fmt: str, mapping: str | None, as_json: bool) -> None:
    """Each file on its own batch: a file that cannot be read is its rejects, not a stop."""
    summaries = [
        ingest_file(node, CLI, path, format=fmt, mapping=mapping) for path in files_in(folder, fmt)
    ]
    total = IngestSummary(batch_id="-", source=str(folder))
    for summary in summaries:
        total.rows += summary.rows
        total.accepted += summary.accepted
        total.rejected += summary.rejected
        total.duplicates += summary.duplicates
        total.errors = dict(Counter(total.errors) + Counter(summary.errors))
        total.warnings = dict(Counter(total.warnings) + Counter(summary.warnings))
    if as_json:
        print(json.dumps(total.public() | {"files": len(summaries)}))
        return
    out.print(f"{len(summaries)} files in {folder}")
    render(total)


def render(summary: IngestSummary) -> None:
    table = Table(title=f"Ingested {summary.source}", show_header=False)
    table.add_row("rows", f"{summary.rows:,}")
    table.add_row("[green]accepted", f"{summary.accepted:,}")
    table.add_row("[red]rejected", f"{summary.rejected:,}")
    table.add_row("[yellow]duplicates", f"{summary.duplicates:,}")
    out.print(table)
    for title, counts in (
        ("errors (rejected)", summary.errors),
        ("warnings (kept, flagged)", summary.warnings),
    ):
        if counts:
            reasons = Table(title=title)
            reasons.add_column("reason")
            reasons.add_column("rows", justify="right")
            for reason, count in sorted(counts.items(), key=lambda item: -item[1]):
                reasons.add_row(reason, f"{count:,}")
            out.print(reasons)
    if summary.rejected:
        out.print(
            "See them with [bold]borderlink rejects list[/]; "
            "fix and [bold]borderlink rejects retry[/]."
        )


def _value(text: str, what: str) -> tuple[str, str]:
    field, sep, value = text.partition("=")
    if not sep or not field:
        raise InvalidInput(f"{what} {text!r}: write FIELD=VALUE", field=what)
    return field.strip(), value


def amend(
    declaration_id: Annotated[str, typer.Argument(help="The stored declaration's reference.")],
    sets: Annotated[
        list[str] | None, typer.Option("--set", help="A header field: FIELD=VALUE (repeatable).")
    ] = None,
    items: Annotated[
        list[str] | None,
        typer.Option("--item", help="A goods item's field: ITEM_NO:FIELD=VALUE (repeatable)."),
    ] = None,
    cancel: Annotated[bool, typer.Option(help="Cancel the declaration instead.")] = False,
    reason: Annotated[str | None, typer.Option(help="Why (kept in its history).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
    db: DbOption = None,
) -> None:
    """Amend (or cancel) a stored declaration: validated as on ingest, its history kept."""
    changes = dict(_value(text, "--set") for text in sets or [])
    by_item: dict[str, dict[str, str | None]] = {}
    for text in items or []:
        number, _, rest = text.partition(":")
        field, value = _value(rest, "--item")
        by_item.setdefault(number, {"item_no": number})[field] = value
    amendment = AmendmentIn(
        changes=dict(changes), items=list(by_item.values()), cancel=cancel, reason=reason
    )
    done = amend_declaration(node_for(db), CLI, declaration_id, amendment, source="cli")
    if as_json:
        print(done.model_dump_json())
        return
    if done.version is None:
        out.print(f"{declaration_id}: nothing changed")
    else:
        out.print(f"{declaration_id}: version {done.version}")
