"""Watchlists, their entries, and the hits of screening parties against them.

An entry's natural key is (list, entry id): reloading a list updates its entries in place, and
an entry no longer at the source gets ``ended_at`` (never deleted, so a past hit still names
what it matched). ``digest`` is a hash of the entry's content: an analyst's decision on a hit
holds while the entry's digest is the one decided on. A hit's natural key is (party, list,
entry).
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Column,
    Date,
    DateTime,
    Float,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from borderlink.store.tables import metadata

watchlists = Table(
    "watchlists",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("format", String(16), nullable=False),  # ofac-csv, ftm, csv
    Column("source", Text),  # the file name last loaded
    Column("entries", Integer, nullable=False),  # entries in force
    Column("loads", Integer, nullable=False),  # how many times it was loaded
    Column("loaded_by", String(64), nullable=False),
    Column("loaded_at", DateTime(timezone=True), nullable=False),
)

watchlist_entries = Table(
    "watchlist_entries",
    metadata,
    Column("list_name", String(64), primary_key=True),
    Column("entry_id", String(128), primary_key=True),
    Column("schema", String(32)),  # FollowTheMoney's: Person, Organization, Vessel, ...
    Column("names", JSON, nullable=False),  # the primary name first, then the aliases
    Column("identifiers", JSON, nullable=False),  # "kind:value" (imo:9187629, tin:..., eori:...)
    Column("countries", JSON, nullable=False),
    Column("programmes", JSON, nullable=False),
    Column("reason", Text),
    Column("valid_from", Date),
    Column("valid_until", Date),
    Column("digest", String(64), nullable=False),
    Column("first_loaded_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("ended_at", DateTime(timezone=True)),  # removed at the source
)

screening_hits = Table(
    "screening_hits",
    metadata,
    Column("hit_id", Integer, primary_key=True, autoincrement=True),
    Column("party_id", String(64), nullable=False, index=True),
    Column("list_name", String(64), nullable=False),
    Column("entry_id", String(128), nullable=False),
    Column("entry_digest", String(64), nullable=False),  # the entry as it was when hit
    Column("score", Float, nullable=False),
    Column("method", String(32), nullable=False),
    Column("explanation", Text, nullable=False),
    Column("details", JSON, nullable=False),  # names compared, steps, identifier
    Column("status", String(16), nullable=False),  # open, confirmed, dismissed
    Column("decided_by", String(64)),
    Column("decided_at", DateTime(timezone=True)),
    Column("decision_reason", Text),
    Column("decided_digest", String(64)),  # the entry's digest the decision was made on
    Column("first_seen_at", DateTime(timezone=True), nullable=False),
    Column("last_seen_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("party_id", "list_name", "entry_id"),
)

# When each party was last screened: `screening run` takes those never screened, or screened
# before the latest change to a list.
screened_parties = Table(
    "screened_parties",
    metadata,
    Column("party_id", String(64), primary_key=True),
    Column("screened_at", DateTime(timezone=True), nullable=False),
)

# Entity resolution (`screening link`). A record key names one trader record: `party:<id>` for a
# stored party, `partner:<sender>:<record id>:<n>` for the n-th party of a partner's seizure.
# Each run replaces the clusters and the scored links whole (one transaction); the analysts'
# judgements are kept across runs, keyed on the pair (left < right), and used by the next.
linking_runs = Table(
    "linking_runs",
    metadata,
    Column("run_id", Integer, primary_key=True, autoincrement=True),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True), nullable=False),
    Column("actor", String(64), nullable=False),
    Column("records", Integer, nullable=False),
    Column("links", Integer, nullable=False),  # pairs scored at or above the review bound
    Column("clusters", Integer, nullable=False),  # clusters of two records or more
    Column("threshold", Float, nullable=False),
    Column("trained", JSON, nullable=False),  # what the model learnt from, in words
)

trader_clusters = Table(
    "trader_clusters",
    metadata,
    Column("record_key", String(200), primary_key=True),
    Column("cluster_id", String(200), nullable=False, index=True),
    Column("name", Text),  # the record's name as it came (for the pages)
    Column("country", String(2)),
    Column("run_id", Integer, nullable=False),
)

trader_links = Table(
    "trader_links",
    metadata,
    Column("left_key", String(200), primary_key=True),
    Column("right_key", String(200), primary_key=True, index=True),
    Column("probability", Float, nullable=False),
    Column("run_id", Integer, nullable=False),
)

trader_judgements = Table(
    "trader_judgements",
    metadata,
    Column("left_key", String(200), primary_key=True),
    Column("right_key", String(200), primary_key=True),
    Column("judgement", String(16), nullable=False),  # same, different
    Column("reason", Text, nullable=False),
    Column("decided_by", String(64), nullable=False),
    Column("decided_at", DateTime(timezone=True), nullable=False),
)
