"""Accounts: users, their API tokens and browser sessions.

Secrets are never stored: passwords as argon2 hashes, tokens and session ids as SHA-256 digests
(they are long random strings, so a fast digest is enough and lookups stay cheap).
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    func,
)

from borderlink.store.tables import metadata

users = Table(
    "users",
    metadata,
    Column("user_id", Integer, primary_key=True, autoincrement=True),
    Column("username", String(64), nullable=False, unique=True),
    Column("password_hash", Text, nullable=False),
    Column("role", String(32), nullable=False),
    Column("office_id", String(16)),  # officers: the office whose declarations they handle
    Column("agency", String(64)),  # partner-agency officers: the agency they belong to
    Column("active", Boolean, nullable=False, default=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    # Who set the current password when it was not the user (an administrator's reset): until
    # the user changes it, signing in with it grants nothing but changing it.
    Column("password_reset_by", String(64)),
)
# "Alice" and "alice" are one person: the name is kept as typed, unique and looked up by the
# database's lower(), the same function on both sides, so a lookup and the index never disagree.
Index("uq_users_username_lower", func.lower(users.c.username), unique=True)

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("token_id", String(16), primary_key=True),  # public part, shown in lists
    Column("user_id", Integer, ForeignKey("users.user_id", ondelete="CASCADE"), nullable=False),
    Column("name", String(64), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("scopes", JSON, nullable=False),  # permission names; effective = role ∩ scopes
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("revoked_at", DateTime(timezone=True)),
    # Set when someone other than the user made the token (the command line): such a token never
    # answers for an agency, and its creation is audited as ``token.issue``.
    Column("issued_by", String(64)),
)

sessions = Table(
    "sessions",
    metadata,
    Column("session_hash", String(64), primary_key=True),
    Column(
        "user_id",
        Integer,
        ForeignKey("users.user_id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("csrf_token", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
)

# Sign-in attempts, per name (a digest: names that do not exist are never stored) and per source
# address. One row per key whatever the number of attempts: ``failures`` in the window that began
# at ``window_start``, ``locked_until`` once they reach the limit, ``refused`` counting the
# attempts made while locked (written to the audit log once per lock, not once per attempt).
login_throttle = Table(
    "login_throttle",
    metadata,
    Column("key", String(80), primary_key=True),
    Column("failures", Integer, nullable=False),
    Column("window_start", DateTime(timezone=True), nullable=False),
    Column("locked_until", DateTime(timezone=True)),
    Column("refused", Integer, nullable=False),
)
