"""Tables of the exchange's own machinery: the log's stored subtrees, request nonces, key history.

- ``log_nodes``: the hash of every complete subtree of the verifiable log (level >= 1; level 0
  is ``log_leaves.leaf_hash``), written once when its last leaf is appended, so heads and proofs
  read O(log n) rows (see :mod:`borderlink.exchange.merkle_log`).
- ``request_nonces``: the nonce of every signed request accepted, kept until its signature
  expires, so a captured request is refused the second time, by any server process.
- ``node_keys``: every public key a node (this one or a partner) signed with, with the period it
  is accepted for, so envelopes signed before a key rotation still verify.
- ``taxii_credentials``: a partner's read-only TAXII credentials (HTTP Basic) for its standard
  tools (MISP, OpenCTI), the secret hashed; a revoked one is kept, marked.
"""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Index, Integer, LargeBinary, String, Table, Text

from borderlink.store.tables import metadata

log_nodes = Table(
    "log_nodes",
    metadata,
    Column("level", Integer, primary_key=True, autoincrement=False),
    Column("node_index", Integer, primary_key=True, autoincrement=False),
    Column("hash", LargeBinary(32), nullable=False),
)

request_nonces = Table(
    "request_nonces",
    metadata,
    Column("sender_id", String(64), primary_key=True),
    Column("nonce", String(64), primary_key=True),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Index("ix_request_nonces_expires_at", "expires_at"),  # pruning what has expired
)

node_keys = Table(
    "node_keys",
    metadata,
    Column("node_id", String(64), primary_key=True),
    Column("public_key", String(64), primary_key=True),  # raw Ed25519, base64url
    Column("valid_from", DateTime(timezone=True)),  # null: since the node was registered
    Column("valid_until", DateTime(timezone=True)),  # null: current; else end of the overlap
    Column("statement", Text),  # the rotation statement that brought it in (compact JWS)
    Column("added_at", DateTime(timezone=True), nullable=False),
)

taxii_credentials = Table(
    "taxii_credentials",
    metadata,
    Column("username", String(64), primary_key=True),
    Column("partner_id", String(64), nullable=False),
    Column("secret_hash", String(255), nullable=False),  # argon2, like users' passwords
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("created_by", String(64), nullable=False),
    Column("revoked_at", DateTime(timezone=True)),  # null: in use
    Index("ix_taxii_credentials_partner_id", "partner_id"),
)
