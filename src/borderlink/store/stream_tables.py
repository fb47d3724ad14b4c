"""Streaming intake: what became of each message the node took from a JetStream stream.

A message is known by its stream and its sequence in it (the natural key): a message delivered
again after the node stored it (a consumer killed before its acknowledgement reached the server)
is answered from here with the decision it got the first time, and is not ingested again.
"""

from __future__ import annotations

from sqlalchemy import JSON, BigInteger, Column, DateTime, String, Table, Text

from borderlink.store.tables import metadata

stream_messages = Table(
    "stream_messages",
    metadata,
    Column("stream", String(64), primary_key=True),  # the JetStream stream's name
    Column("sequence", BigInteger, primary_key=True),  # the message's sequence in that stream
    Column("subject", Text, nullable=False),
    Column("declaration_id", String(64), index=True),  # null when the message held none
    Column("status", String(16), nullable=False),  # accepted, duplicate, rejected
    Column("batch_id", String(36), nullable=False),  # the ingest batch that took it
    Column("decision", JSON, nullable=False),  # what was published to the reply subject
    Column("lodged_at", DateTime(timezone=True)),  # when the stream stored it
    Column("taken_at", DateTime(timezone=True), nullable=False),
)
