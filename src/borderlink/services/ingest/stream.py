"""Streaming intake: declarations consumed from a NATS JetStream stream, scored on arrival.

The customs management system publishes each declaration (one wco-json object, as in the API's
body) on a subject; the node consumes it through a *durable* pull consumer, so a consumer that
stops (or is killed) resumes where the stream says it stopped. Each fetched batch goes through
:func:`take_messages`:

1. the messages become one JSON Lines file and are ingested by :func:`ingest_file`, the path
   every file and API submission takes (same validation; a bad message is a reject kept with
   its record, field and reason, retryable with ``borderlink rejects retry``);
2. declarations this batch stored, and earlier ones the newest model has not scored yet (a
   consumer killed between storing and scoring), are scored as an API submission is, and
   routed to agencies;
3. each message's decision (:func:`borderlink.ingest.stream.decision`) is read back from what
   is stored, so a redelivered message gets the answer it got the first time.

Each message taken is recorded by stream and sequence (``stream_messages``): a message delivered
again is answered with its recorded decision and not ingested a second time. Only then are the
decisions published to the reply subject and the messages acknowledged: at
least once, never lost. A message redelivered after a crash between commit and ack is a
duplicate of its stored declaration (writes are idempotent on their natural keys), and its
decision carries a ``Nats-Msg-Id`` header, so a JetStream stream capturing the reply subject
drops the repeat.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nats
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.errors import TimeoutError as NatsTimeout
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy, StreamConfig
from nats.js.errors import NotFoundError
from sqlalchemy import select

from borderlink.errors import InvalidInput
from borderlink.ingest import stream as messages
from borderlink.ingest.stream import StreamAddress, parse_address
from borderlink.model import IngestSummary
from borderlink.services.accounts.access import Permission, Principal, require
from borderlink.services.coordination.routing import route_submitted
from borderlink.services.ingest.files import ingest_file
from borderlink.services.node import Node
from borderlink.services.risk import score as risk
from borderlink.services.risk.models import ACTIVE_ORDER
from borderlink.store.bulk import insert_ignore
from borderlink.store.risk_tables import risk_models, scores
from borderlink.store.stream_tables import stream_messages
from borderlink.store.tables import declarations, rejects

# Messages per fetch at most. A fetch returns what is pending, so at a low rate batches stay
# small (low latency) and under load they grow: a batch costs a fixed ~200 ms of CPU (model,
# profiles, reasons set up once) plus well under 1 ms a message, so a cap of 100 held the
# consumer near 230 messages/s on a core, and a larger one lets it keep up with the flow.
MAX_BATCH = 1000


@dataclass(frozen=True)
class Arrived:
    """One message as the consumer hands it over: its body, stream position and lodging time."""

    body: bytes
    sequence: int
    lodged_at: dt.datetime | None = None


@dataclass(frozen=True)
class StreamOptions:
    durable: str = "borderlink-ingest"
    stream: str | None = None  # None: the stream capturing the subject (created if none)
    reply_subject: str | None = None  # None: SUBJECT.channel
    batch: int = MAX_BATCH
    wait_s: float = 1.0  # how long one fetch waits for a first message
    idle_exit_s: float | None = None  # stop after this long without a message (None: never)
    max_messages: int | None = None  # stop after this many (None: never)
    # How long the server waits for an ack before it delivers a message again: what a killed
    # consumer's last batch waits before the next consumer gets it. A batch that takes longer
    # says it is still in progress (see _working_on), so it is never delivered twice meanwhile.
    ack_wait_s: float = 10.0

    def reply_to(self, subject: str) -> str:
        reply = self.reply_subject or f"{subject}.channel"
        messages.check_subject(reply, field="--reply-to")
        if reply == subject:
            raise InvalidInput("the reply subject is the consumed subject", field="--reply-to")
        return reply


@dataclass
class StreamSummary:
    messages: int = 0
    accepted: int = 0
    rejected: int = 0
    duplicates: int = 0
    batches: int = 0
    channels: dict[str, int] = field(default_factory=dict)

    def add(self, decisions: Sequence[Mapping[str, Any]]) -> None:
        self.batches += 1
        for d in decisions:
            self.messages += 1
            status = d["status"]
            self.accepted += status == "accepted"
            self.rejected += status == "rejected"
            self.duplicates += status == "duplicate"
            if d["channel"]:
                self.channels[d["channel"]] = self.channels.get(d["channel"], 0) + 1


# --- one batch: ingest, score, decide (blocking; the consumer runs it in a worker thread) ----


def take_messages(
    node: Node, principal: Principal, arrived: Sequence[Arrived], *, stream: str, subject: str
) -> list[dict[str, Any]]:
    """Ingest, score and decide a batch of messages of ``stream``; one decision per message,
    in order. A message taken before (same stream, same sequence) gets its decision again and is
    not ingested twice. Everything is committed when this returns: acknowledging the messages
    after it loses none.
    """
    require(principal, Permission.DECLARATIONS_SUBMIT)
    if len(arrived) > MAX_BATCH:
        raise InvalidInput(f"at most {MAX_BATCH} messages per batch", field="messages")
    known = _taken(node, stream, [a.sequence for a in arrived])
    new = [a for a in arrived if a.sequence not in known]
    if new:
        decided = _ingest(node, principal, new, source=f"nats:{stream}/{subject}")
        _record(node, stream, subject, new, decided)
        known |= {d["sequence"]: d for d in decided}
    return [known[a.sequence] for a in arrived]


def _ingest(
    node: Node, principal: Principal, arrived: Sequence[Arrived], *, source: str
) -> list[dict[str, Any]]:
    """The messages through the file path (one JSON Lines file), scored and routed."""
    first, last = arrived[0].sequence, arrived[-1].sequence
    with tempfile.TemporaryDirectory(prefix="borderlink-stream-") as folder:
        path = Path(folder) / "messages.jsonl"
        path.write_bytes(messages.jsonl([a.body for a in arrived]))
        summary = ingest_file(
            node, principal, path, format="json", name=f"{source} #{first}-{last}"
        )
    ids = messages.declaration_ids([a.body for a in arrived])
    issues = _issues(node, summary)
    valid = [i for n, i in enumerate(ids, start=1) if i is not None and n not in issues]
    stored = _stored_in(node, summary.batch_id, valid)
    _score_and_route(node, principal, stored)
    found = _scores(node, valid)
    now = _iso(dt.datetime.now(dt.UTC)) or ""
    return [
        messages.decision(
            sequence=a.sequence,
            declaration_id=ids[n - 1],
            status=_status(n, ids[n - 1], issues, stored),
            lodged_at=_iso(a.lodged_at),
            decided_at=now,
            score=found.get(ids[n - 1] or ""),
            issues=issues.get(n, ()),
        )
        | {"batch_id": summary.batch_id}
        for n, a in enumerate(arrived, start=1)
    ]


def _taken(node: Node, stream: str, sequences: Sequence[int]) -> dict[int, dict[str, Any]]:
    """The decisions already made for those of ``sequences`` the node took before."""
    if not sequences:
        return {}
    query = select(stream_messages.c.sequence, stream_messages.c.decision).where(
        stream_messages.c.stream == stream, stream_messages.c.sequence.in_(list(sequences))
    )
    with node.read() as conn:
        return {int(row.sequence): dict(row.decision) for row in conn.execute(query)}


def _record(
    node: Node,
    stream: str,
    subject: str,
    arrived: Sequence[Arrived],
    decided: Sequence[dict[str, Any]],
) -> None:
    now = dt.datetime.now(dt.UTC)
    rows = [
        {
            "stream": stream,
            "sequence": a.sequence,
            "subject": subject,
            "declaration_id": (d["declaration_id"] or "")[:64] or None,
            "status": d["status"],
            "batch_id": d["batch_id"],
            "decision": d,
            "lodged_at": a.lodged_at,
            "taken_at": now,
        }
        for a, d in zip(arrived, decided, strict=True)
    ]
    with node.transaction() as conn:
        insert_ignore(conn, stream_messages, rows)


def _iso(at: dt.datetime | None) -> str | None:
    return at.isoformat(timespec="microseconds").replace("+00:00", "Z") if at else None


def _status(
    n: int, declaration_id: str | None, issues: Mapping[int, object], stored: Mapping[str, bool]
) -> str:
    if n in issues or declaration_id is None or declaration_id not in stored:
        return "rejected"
    return "accepted" if stored[declaration_id] else "duplicate"


def _issues(node: Node, summary: IngestSummary) -> dict[int, list[dict[str, Any]]]:
    """The batch's rejects by record number (= message number): field, reason, message."""
    found: dict[int, list[dict[str, Any]]] = {}
    if not summary.rejected:
        return found
    query = select(rejects.c.record_no, rejects.c.item_no, rejects.c.issues).where(
        rejects.c.batch_id == summary.batch_id
    )
    with node.read() as conn:
        for record_no, item_no, listed in conn.execute(query.order_by(rejects.c.reject_id)):
            listed = json.loads(listed) if isinstance(listed, str) else listed
            for issue in listed:
                found.setdefault(record_no, []).append(
                    {"item_no": item_no, **{k: issue.get(k) for k in ("field", "reason")}}
                    | {"message": issue.get("message")}
                )
    return found


def _stored_in(node: Node, batch_id: str, ids: Sequence[str]) -> dict[str, bool]:
    """Those of ``ids`` the node holds, each with whether this batch stored it."""
    if not ids:
        return {}
    query = select(declarations.c.declaration_id, declarations.c.batch_id).where(
        declarations.c.declaration_id.in_(list(dict.fromkeys(ids)))
    )
    with node.read() as conn:
        return {row.declaration_id: row.batch_id == batch_id for row in conn.execute(query)}


def _newest_model(node: Node) -> str | None:
    query = select(risk_models.c.version).order_by(ACTIVE_ORDER).limit(1)  # promoted or newest
    with node.read() as conn:
        found: str | None = conn.execute(query).scalar_one_or_none()
    return found


def _score_and_route(node: Node, principal: Principal, stored: Mapping[str, bool]) -> None:
    """As a submission is: score those of ``stored`` the newest model has not scored, then
    route them and the ones this batch stored (a redelivered message is scored and routed
    when its first delivery was not; referrals are idempotent)."""
    if not stored:
        return
    route = [i for i, new in stored.items() if new]
    version = _newest_model(node)
    if version is not None:
        query = select(scores.c.declaration_id).where(
            scores.c.model_version == version, scores.c.declaration_id.in_(list(stored))
        )
        with node.read() as conn:
            done = set(conn.execute(query).scalars())
        todo = [i for i in stored if i not in done]
        if todo:
            risk.score_many(node, risk.SCORER, todo, version=version, route=False)
        route = list(dict.fromkeys([*route, *todo]))
    if route:
        route_submitted(node, principal, route)


def _scores(node: Node, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    """The newest stored score of each of ``ids``."""
    if not ids:
        return {}
    query = (
        select(scores.c.declaration_id, scores.c.model_version, scores.c.risk)
        .add_columns(scores.c.channel, scores.c.selection)
        .where(scores.c.declaration_id.in_(list(dict.fromkeys(ids))))
        .order_by(scores.c.scored_at)
    )
    with node.read() as conn:
        return {row.declaration_id: dict(row._mapping) for row in conn.execute(query)}


# --- the consumer --------------------------------------------------------------------------


async def _stream_for(js: JetStreamContext, subject: str, name: str | None) -> str:
    """The stream that captures ``subject``: the one named, the one the server knows, or a new
    one (file storage: messages survive a server restart until the node has taken them)."""
    if name is not None:
        try:
            await js.stream_info(name)
        except NotFoundError:
            raise InvalidInput(f"no JetStream stream {name!r}", field="--stream") from None
        return name
    try:
        found: str = await js.find_stream_name_by_subject(subject)
        return found
    except NotFoundError:
        created = messages.stream_name(subject)
        await js.add_stream(StreamConfig(name=created, subjects=[subject]))
        return created


def _arrived(msg: Msg) -> Arrived:
    meta = msg.metadata
    return Arrived(msg.data, meta.sequence.stream, meta.timestamp)


async def _publish(nc: Client, reply: str, decisions: Sequence[dict[str, Any]]) -> None:
    for d in decisions:
        header = {"Nats-Msg-Id": f"{d['sequence']}:{d['status']}:{d['model_version']}"}
        await nc.publish(reply, json.dumps(d).encode("utf-8"), headers=header)
    await nc.flush()


async def _subscribe(
    js: JetStreamContext, name: str, address: StreamAddress, options: StreamOptions
) -> JetStreamContext.PullSubscription:
    config = ConsumerConfig(
        durable_name=options.durable,
        ack_policy=AckPolicy.EXPLICIT,
        deliver_policy=DeliverPolicy.ALL,
        filter_subject=address.subject,
        ack_wait=options.ack_wait_s,
    )
    return await js.pull_subscribe(
        address.subject, durable=options.durable, stream=name, config=config
    )


async def _working_on(fetched: Sequence[Msg], every_s: float) -> None:
    """Tell the server, while a batch is being stored, that its messages are in hand."""
    while True:
        await asyncio.sleep(every_s)
        for msg in fetched:
            await msg.in_progress()


def _wanted(options: StreamOptions, taken: int) -> int:
    batch = max(1, min(options.batch, MAX_BATCH))
    if options.max_messages is None:
        return batch
    return min(batch, options.max_messages - taken)


async def consume(
    node: Node,
    principal: Principal,
    address: StreamAddress,
    options: StreamOptions | None = None,
    *,
    should_stop: Callable[[], bool] = lambda: False,
    on_batch: Callable[[list[dict[str, Any]]], None] | None = None,
) -> StreamSummary:
    """Consume ``address`` until ``should_stop``, ``options.idle_exit_s`` without messages or
    ``options.max_messages`` taken; each batch committed, then answered, then acknowledged."""
    require(principal, Permission.DECLARATIONS_SUBMIT)
    options = options or StreamOptions()
    reply = options.reply_to(address.subject)
    summary = StreamSummary()
    nc = await nats.connect(servers=[address.server], name=f"borderlink {options.durable}")
    try:
        js = nc.jetstream()
        name = await _stream_for(js, address.subject, options.stream)
        sub = await _subscribe(js, name, address, options)
        idle_since = time.monotonic()
        while not should_stop() and (wanted := _wanted(options, summary.messages)) > 0:
            try:
                fetched = await sub.fetch(wanted, timeout=options.wait_s)
            except (TimeoutError, NatsTimeout):
                idle = time.monotonic() - idle_since
                if options.idle_exit_s is not None and idle >= options.idle_exit_s:
                    break
                continue
            idle_since = time.monotonic()
            arrived = [_arrived(m) for m in fetched]
            working = asyncio.create_task(_working_on(fetched, options.ack_wait_s / 3))
            try:
                decisions = await asyncio.to_thread(
                    take_messages, node, principal, arrived, stream=name, subject=address.subject
                )
            finally:
                working.cancel()
            await _publish(nc, reply, decisions)
            for msg in fetched:  # only now: everything they brought is committed and answered
                await msg.ack()
            summary.add(decisions)
            if on_batch is not None:
                on_batch(decisions)
    finally:
        # Every ack was published; flush sends them, close ends the pull subscription (a
        # drain would wait on the server's answer to its last pull request).
        try:
            await nc.flush()
        finally:
            await nc.close()
    return summary


__all__ = [
    "MAX_BATCH",
    "Arrived",
    "StreamAddress",
    "StreamOptions",
    "StreamSummary",
    "consume",
    "parse_address",
    "take_messages",
]
