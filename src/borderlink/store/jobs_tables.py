"""Background jobs: work a person started from a page (an upload, a retrain) and its progress.

A job is ``queued``, then ``running``, then ``done`` or ``failed``; ``done``/``total`` count its
progress in ``unit`` (rows, steps; ``total`` null when it cannot be told beforehand), ``result``
is its summary once done and ``error`` what stopped it.
"""

from __future__ import annotations

from sqlalchemy import JSON, BigInteger, Column, DateTime, Index, String, Table, Text

from borderlink.store.tables import metadata

jobs = Table(
    "jobs",
    metadata,
    Column("job_id", String(36), primary_key=True),  # a random UUID: ids do not count jobs
    Column("kind", String(32), nullable=False),  # ingest, retrain
    Column("actor", String(64), nullable=False),  # the username of who started it
    Column("state", String(16), nullable=False),  # queued, running, done, failed
    Column("done", BigInteger, nullable=False, default=0),
    Column("total", BigInteger),
    Column("unit", String(16), nullable=False),
    Column("title", Text, nullable=False),  # what it works on, in the person's words (a file)
    Column("result", JSON),
    Column("error", Text),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("started_at", DateTime(timezone=True)),
    Column("finished_at", DateTime(timezone=True)),
)
# A person's recent jobs, newest first.
Index("ix_jobs_actor_created_at", jobs.c.actor, jobs.c.created_at)
