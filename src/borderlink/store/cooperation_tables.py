"""Tables for cooperation between nodes: partners, agreements, records, the exchange, the log.

Natural keys make every exchange write idempotent: a released copy is unique per (partner,
record, version); a received envelope per (sender, nonce); a log leaf by its index.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from borderlink.store.tables import metadata

partners = Table(
    "partners",
    metadata,
    Column("partner_id", String(64), primary_key=True),
    Column("name", Text, nullable=False),
    Column("public_key", String(64), nullable=False),  # raw Ed25519, base64url
    Column("base_url", Text, nullable=False),
    Column("added_at", DateTime(timezone=True), nullable=False),
)

agreements = Table(
    "agreements",
    metadata,
    Column("agreement_id", String(64), primary_key=True),
    Column("state", String(16), nullable=False),
    Column("document", JSON, nullable=False),  # the Agreement as data, state included
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

# Alerts and seizures this node issued or received, as domain records (latest version).
coop_records = Table(
    "coop_records",
    metadata,
    Column("record_id", String(128), primary_key=True),  # STIX id
    Column("kind", String(16), nullable=False),  # alert, seizure
    Column("issuer", String(64), nullable=False),
    Column("modified", DateTime(timezone=True), nullable=False),
    Column("document", JSON, nullable=False),  # the record as this node holds it
    Column("received_from", String(64)),  # null when issued here
    # Unique per sender (services.exchange.added): the date_added of that partner's inbox.
    Column("stored_at", DateTime(timezone=True), nullable=False),
    # A partner's inbox collection in order, paged by keyset (TAXII added_after / next).
    Index("ix_coop_records_sender_stored", "received_from", "stored_at", "record_id"),
)

# Each partner's own signed copy, after the policy: what the TAXII collection "to <partner>" serves.
released = Table(
    "released",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("partner_id", String(64), nullable=False),
    Column("record_id", String(128), nullable=False),
    Column("version", String(32), nullable=False),  # the record's `modified`, RFC 3339
    Column("agreement_id", String(64), nullable=False),
    Column("envelope", Text, nullable=False),  # compact JWS
    Column("stix", JSON, nullable=False),  # the released STIX object (inside the envelope)
    Column("removed", JSON, nullable=False),  # [{field, reason}]
    Column("added_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("partner_id", "record_id", "version", name="uq_released_copy"),
    Index("ix_released_partner_seq", "partner_id", "seq"),  # a partner's collection, in order
    # The same order by date_added (it grows with seq per partner): TAXII added_after seeks here.
    Index("ix_released_partner_added", "partner_id", "added_at", "seq"),
)

# Every envelope accepted from a partner, for replay detection and provenance.
received = Table(
    "received",
    metadata,
    Column("sender_id", String(64), primary_key=True),
    Column("nonce", String(64), primary_key=True),
    Column("record_id", String(128), nullable=False),
    Column("version", String(32), nullable=False),
    Column("agreement_id", String(64), nullable=False),  # under which it came (retention)
    Column("digest", String(64), nullable=False),  # sha256 of the envelope
    Column("received_at", DateTime(timezone=True), nullable=False),
    # What was received of a page's records, and under which agreement (receiving, per page):
    # covering, so the lookup reads the index alone.
    Index("ix_received_record", "record_id", "sender_id", "agreement_id"),
)

# How far this node has read each partner's collection (resumable sync).
sync_cursors = Table(
    "sync_cursors",
    metadata,
    Column("partner_id", String(64), primary_key=True),
    Column("next_seq", Integer, nullable=False),  # the partner's last `seq` consumed
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

# Envelopes a sync could not accept, kept with the reason until a retry accepts them: the cursor
# moves past an envelope only once it is accepted or kept here.
quarantine = Table(
    "quarantine",
    metadata,
    Column("digest", String(64), primary_key=True),  # sha256 of the envelope
    Column("partner_id", String(64), nullable=False, index=True),
    Column("envelope", Text, nullable=False),
    Column("code", String(32), nullable=False),  # the error code of the last refusal
    Column("reason", Text, nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("first_seen", DateTime(timezone=True), nullable=False),
    Column("last_tried", DateTime(timezone=True), nullable=False),
)

# Each party's signed copy of an agreement (this node's own included): what flows under it
# waits until the partner's copy has the same terms hash as this node's.
agreement_copies = Table(
    "agreement_copies",
    metadata,
    Column("agreement_id", String(64), primary_key=True),
    Column("node_id", String(64), primary_key=True),
    Column("terms_hash", String(64), nullable=False),
    Column("token", Text, nullable=False),  # compact JWS by that node
    Column("stored_at", DateTime(timezone=True), nullable=False),
)

# Alerts received from partners, in the shape the risk engine matches declarations against.
partner_alerts = Table(
    "partner_alerts",
    metadata,
    Column("alert_id", String(128), primary_key=True),
    Column("partner_id", String(64), nullable=False, index=True),
    Column("title", Text, nullable=False),
    Column("valid_from", Date, nullable=False),
    Column("valid_until", Date, nullable=False, index=True),
    Column("trader_ids", JSON, nullable=False),
    Column("hs_codes", JSON, nullable=False),
    Column("origins", JSON, nullable=False),
    Column("route", JSON, nullable=False),
    Column("active", Boolean, nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
)

# The verifiable log: append-only leaves (RFC 9162 style), index = position in the tree.
log_leaves = Table(
    "log_leaves",
    metadata,
    Column("leaf_index", Integer, primary_key=True, autoincrement=False),
    Column("leaf_hash", String(64), nullable=False),
    Column("record_id", String(128), nullable=False, index=True),
    Column("entry", JSON, nullable=False),  # {kind, record_id, peer, digest, at}
    Column("appended_at", DateTime(timezone=True), nullable=False),
)

# Signed tree heads: this node's own, and partners' kept as a witness.
tree_heads = Table(
    "tree_heads",
    metadata,
    Column("node_id", String(64), primary_key=True),
    Column("tree_size", Integer, primary_key=True, autoincrement=False),
    Column("root_hash", String(64), nullable=False),
    Column("signed", Text, nullable=False),  # compact JWS of the head
    Column("stored_at", DateTime(timezone=True), nullable=False),
)

# Mutual assistance requests, one row per request at either end: the requesting node's
# (outgoing) or the requested node's (incoming). Kept in step with the signed records in
# `coop_records` in the same transaction as they are issued or received; a draft lives here only
# (`draft`) until it is sent.
assistance_cases = Table(
    "assistance_cases",
    metadata,
    Column("request_id", String(128), primary_key=True),  # the request's STIX id
    Column("direction", String(8), nullable=False),  # outgoing, incoming
    Column("reference", String(64), nullable=False),  # the requester's file number
    Column("requester", String(64), nullable=False),
    Column("requested", String(64), nullable=False),
    Column("agreement_id", String(64), nullable=False),
    Column("measure", String(16), nullable=False),
    Column("urgency", String(16), nullable=False),
    Column("title", Text, nullable=False),
    Column("deadline", Date, nullable=False),
    Column("request_state", String(16), nullable=False),  # draft, sent, withdrawn
    Column("reply_state", String(24)),  # null until the requested node replies
    Column("reply_id", String(128)),
    Column("draft", JSON),  # a draft's fields, until it is sent
    Column("created_by", String(64)),  # who drafted it (outgoing)
    Column("sent_at", DateTime(timezone=True)),  # sent (outgoing), received (incoming)
    Column("answered_at", DateTime(timezone=True)),  # first answered, partially, or refused
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Index("ix_assistance_cases_direction_deadline", "direction", "deadline"),
)

# Files attached to requests and replies, stored once by content digest.
assistance_attachments = Table(
    "assistance_attachments",
    metadata,
    Column("sha256", String(64), primary_key=True),
    Column("size", Integer, nullable=False),
    Column("media_type", String(100), nullable=False),
    Column("content", LargeBinary, nullable=False),
    Column("stored_at", DateTime(timezone=True), nullable=False),
)
