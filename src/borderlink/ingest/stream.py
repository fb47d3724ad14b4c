"""Declarations arriving as messages: the pure parts of streaming intake.

A message carries one declaration in the wco-json layout, exactly one element of the API's
``POST /api/v1/declarations`` body. A batch of messages becomes a JSON Lines file, one message a
line, so that it goes through the same reader and validation as a file or an API submission and
``_record_no`` *n* is the *n*-th message: a message that is not JSON at all is a malformed line
(a reject kept with its text and the reason), never a lost message.

What the node answers for each message, its *decision*, is plain data built here
(:func:`decision`): the consumer in :mod:`borderlink.services.ingest.stream` publishes it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import polars as pl

from borderlink.errors import InvalidInput
from borderlink.model.types import registry as t

SCHEMES = ("nats", "tls")
DEFAULT_PORT = 4222
# NATS subjects: dot-separated tokens, no blanks; a consumer takes one literal subject.
_SUBJECT = re.compile(r"^[A-Za-z0-9_\-]+(\.[A-Za-z0-9_\-]+)*$")
# What a blank message becomes: a line the reader refuses as "not an object", rather than a
# blank line it skips (which would shift every later message onto the wrong record number).
BLANK_MESSAGE = b"null"


@dataclass(frozen=True)
class StreamAddress:
    """``nats://host:port/SUBJECT``: the server to connect to and the subject to consume."""

    server: str  # nats://host:port, as the client takes it
    subject: str

    def __str__(self) -> str:
        return f"{self.server}/{self.subject}"


def parse_address(text: str, *, field: str = "--from") -> StreamAddress:
    """The server and subject of ``nats://host[:port]/SUBJECT`` (``tls://`` for TLS)."""
    parts = urlsplit(text)
    if parts.scheme not in SCHEMES:
        raise InvalidInput(
            f"{text!r}: a stream is nats://HOST[:PORT]/SUBJECT (or tls://...)", field=field
        )
    if not parts.hostname:
        raise InvalidInput(f"{text!r}: no server host", field=field)
    subject = parts.path.strip("/")
    if not _SUBJECT.match(subject):
        raise InvalidInput(
            f"{text!r}: the subject {subject!r} is not one literal NATS subject "
            "(tokens of letters, digits, - and _ separated by dots)",
            field=field,
        )
    try:
        port = parts.port or DEFAULT_PORT
    except ValueError:
        raise InvalidInput(f"{text!r}: the port is not a number", field=field) from None
    userinfo = parts.netloc.rpartition("@")[0]
    auth = f"{userinfo}@" if userinfo else ""
    return StreamAddress(f"{parts.scheme}://{auth}{parts.hostname}:{port}", subject)


def check_subject(subject: str, *, field: str) -> str:
    if not _SUBJECT.match(subject):
        raise InvalidInput(f"{subject!r} is not one literal NATS subject", field=field)
    return subject


def stream_name(subject: str) -> str:
    """The JetStream stream the node creates for a subject no stream captures yet."""
    return "BORDERLINK_" + re.sub(r"[^A-Za-z0-9_\-]", "_", subject).upper()


def message_line(body: bytes) -> bytes:
    """One message as one JSON Lines line: JSON re-encoded on one line; anything else kept as
    sent with its line breaks made blanks, so that the reader refuses it as malformed JSON, with
    its text, on this message's own record."""
    text = body.decode("utf-8", errors="replace").strip()
    if not text:
        return BLANK_MESSAGE
    try:
        loaded = json.loads(text)
    except ValueError:
        return text.replace("\r", " ").replace("\n", " ").encode("utf-8")
    return json.dumps(loaded, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def jsonl(bodies: Sequence[bytes]) -> bytes:
    """A batch of messages as a JSON Lines file: line *n* is message *n*."""
    return b"".join(message_line(body) + b"\n" for body in bodies)


def _raw_id(body: bytes) -> str | None:
    try:
        loaded = json.loads(body)
    except ValueError:
        return None
    if not isinstance(loaded, dict):
        return None
    value = loaded.get("id")
    if isinstance(value, bool) or not isinstance(value, str | int):
        return None
    return str(value)


def declaration_ids(bodies: Sequence[bytes]) -> list[str | None]:
    """The reference each message's declaration is stored under, cleaned as ingest cleans the
    column (one vectorised pass); None where a message holds no object with a valid one."""
    raw = pl.Series("id", [_raw_id(body) for body in bodies], dtype=pl.String)
    cleaned, _ = t.identifier.clean_column(raw)
    return cleaned.to_list()


def decision(
    *,
    sequence: int,
    declaration_id: str | None,
    status: str,
    lodged_at: str | None,
    decided_at: str,
    score: Mapping[str, Any] | None = None,
    issues: Sequence[Mapping[str, Any]] = (),
) -> dict[str, Any]:
    """What the node answers for one message (published to the reply subject).

    ``status``: ``accepted`` (stored now), ``duplicate`` (stored before: a redelivery, or the
    same declaration sent twice) or ``rejected`` (kept with ``issues``, retryable with
    ``borderlink rejects retry``). ``channel`` is the stored score's channel, null while no
    model has scored it. The score's reasons stay on the node: they may name parties, and the
    declaration's page shows them to whoever may see them.
    """
    out: dict[str, Any] = {
        "sequence": sequence,
        "declaration_id": declaration_id,
        "status": status,
        "channel": None,
        "selection": None,
        "risk": None,
        "model_version": None,
        "lodged_at": lodged_at,
        "decided_at": decided_at,
    }
    if score is not None:
        out |= {key: score[key] for key in ("channel", "selection", "risk", "model_version")}
    if issues:
        out["issues"] = [dict(issue) for issue in issues]
    return out


__all__ = [
    "StreamAddress",
    "check_subject",
    "decision",
    "declaration_ids",
    "jsonl",
    "message_line",
    "parse_address",
    "stream_name",
]
