"""The node's tables (SQLAlchemy 2.0 Core). Alembic migrations are generated from this metadata.

Natural keys are primary keys or unique constraints, so every write can be idempotent:
``INSERT ... ON CONFLICT DO NOTHING`` on the same key changes nothing. The widths of the
declaration's columns are the declaration schema's (``model.DECLARATION``): ingest refuses a
longer value with the same number before the database would.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
)
from sqlalchemy.sql.schema import SchemaItem

from borderlink.model import DECLARATION


def _width(column: str) -> String:
    """The column's text width, as the declaration schema sets it."""
    return String(DECLARATION.length(column))


# Stable constraint names keep migrations identical on SQLite and PostgreSQL.
metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

# --- reference data -------------------------------------------------------------------------

hs_nomenclature = Table(
    "hs_nomenclature",
    metadata,
    Column("edition", String(8), primary_key=True),  # e.g. HS2022
    Column("code", String(10), primary_key=True),  # 2, 4 or 6 digits (national 8-10 allowed)
    Column("description", Text, nullable=False),
    Column("parent", String(10)),
    Column("level", SmallInteger, nullable=False),
    Column("section", String(5)),
)

hs_correlations = Table(
    "hs_correlations",
    metadata,
    Column("from_edition", String(8), primary_key=True),
    Column("from_code", String(10), primary_key=True),
    Column("to_edition", String(8), primary_key=True),
    Column("to_code", String(10), primary_key=True),
    Column("relationship", String(4)),  # 1:1, n:1, 1:n, n:n
)

exchange_rates = Table(
    "exchange_rates",
    metadata,
    Column("currency", String(3), primary_key=True),
    Column("quote_currency", String(3), primary_key=True),  # the reporting currency
    Column("valid_from", Date, primary_key=True),
    Column("rate", Float, nullable=False),  # units of quote_currency for 1 unit of currency
)

locations = Table(
    "locations",
    metadata,
    Column("code", String(5), primary_key=True),  # UN/LOCODE, e.g. NLRTM
    Column("country", String(2), nullable=False),
    Column("name", Text, nullable=False),
    Column("subdivision", String(3)),
    Column("functions", String(8)),  # UN/LOCODE function string, e.g. 1234----
    Column("status", String(2)),
    Column("coordinates", String(16)),
)

# --- declarations -----------------------------------------------------------------------------
#
# On PostgreSQL (the national system of record) declarations and goods items are partitioned by
# the month of ``declared_on`` (migration 0019_partitioning, ``store.partitions``): each
# partition's primary key includes ``declared_on``, as PostgreSQL requires of a partition key,
# and ``declaration_keys`` holds every declaration id once, so an id stays unique across months
# and the tables about a declaration refer to it there. SQLite keeps one table of each.
# ``info={"backend": ...}`` marks what exists on one backend only; the migrations' check
# (``migrations/env.py``) compares it there only, and leaves the partitions themselves out.
# ``goods_items.declared_on`` (its declaration's day, the partition key) exists on PostgreSQL
# only and is no column of this metadata: ``select(goods_items)`` reads the same columns on both
# backends, and only ``store.declaration_writes`` and ``store.partitions`` write that column.

POSTGRESQL_ONLY: Mapping[str, str] = MappingProxyType({"backend": "postgresql"})
SQLITE_ONLY: Mapping[str, str] = MappingProxyType({"backend": "sqlite"})


def on_backend(item: SchemaItem, dialect: str) -> bool:
    """Whether a table, column or index of this metadata exists on ``dialect``'s databases."""
    return bool(item.info.get("backend", dialect) == dialect)


declaration_keys = Table(
    "declaration_keys",
    metadata,
    Column("declaration_id", _width("declaration_id"), primary_key=True),
    Column("declared_on", Date, nullable=False),  # the month partition its rows are in
    info=dict(POSTGRESQL_ONLY),
)

# The tables about a declaration refer to its key: on PostgreSQL the one in declaration_keys,
# on SQLite the declaration itself.
DECLARATION_KEY = "declaration_keys.declaration_id"

parties = Table(
    "parties",
    metadata,
    Column("party_id", _width("importer_id"), primary_key=True),
    Column("name", Text),
    Column("country", _width("exporter_country")),
    Column("aeo", Boolean),
    Column("first_seen", Date),
)

declarations = Table(
    "declarations",
    metadata,
    Column(
        "declaration_id",
        _width("declaration_id"),
        # On PostgreSQL the row is its key's (a declaration deleted there goes with its key).
        ForeignKey(DECLARATION_KEY, ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("declaration_type", _width("declaration_type"), nullable=False),
    Column("declared_on", Date, nullable=False),
    Column("office_id", _width("office_id")),
    Column("procedure", _width("procedure")),
    Column("import_type", _width("import_type")),
    Column("import_use", _width("import_use")),
    Column("payment_type", _width("payment_type")),
    Column("transport_mode", _width("transport_mode")),
    Column("conveyance", _width("conveyance")),
    Column("departure_country", _width("departure_country")),
    Column("loading_location", _width("loading_location")),
    Column("discharge_location", _width("discharge_location")),
    # Trader columns carry no index: trader history is built in batch (Polars) from full scans,
    # and each extra B-tree costs ingest ~10% of its speed.
    Column("declarant_id", _width("declarant_id")),
    Column("importer_id", _width("importer_id")),
    Column("exporter_id", _width("exporter_id")),
    Column("carrier_id", _width("carrier_id")),
    Column("batch_id", String(36)),
    Column("created_at", DateTime(timezone=True), nullable=False),
    # None while it stands; "cancelled" when cancelled (kept, left out of the queues).
    Column("status", String(16)),
    sqlite_with_rowid=False,  # the text key is the clustering key: one B-tree, not two
)
# A day's or a range's declarations (the queue of a day, the dashboard). On PostgreSQL, where
# each partition's primary key is (declaration_id, declared_on) so that a declaration is found
# by its id alone, the queue and dashboard of one office and the trader page have their own
# (office or importer, then the day): none of them reads a month it was not asked about.
Index("ix_declarations_declared_on", declarations.c.declared_on)
Index("ix_declarations_office_id", declarations.c.office_id, info=dict(SQLITE_ONLY))
Index(
    "ix_declarations_office_id_declared_on",
    declarations.c.office_id,
    declarations.c.declared_on,
    info=dict(POSTGRESQL_ONLY),
)
Index(
    "ix_declarations_importer_id_declared_on",
    declarations.c.importer_id,
    declarations.c.declared_on,
    info=dict(POSTGRESQL_ONLY),
)

# What a declaration's message said beyond the flat layout (for WCO DM: every party with its
# address, goods location, containers, documents, national commodity digits, procedures), as
# JSON text, kept as first received.
declaration_details = Table(
    "declaration_details",
    metadata,
    Column(
        "declaration_id",
        _width("declaration_id"),
        ForeignKey(DECLARATION_KEY, ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("format", String(16), nullable=False),
    Column("details", Text, nullable=False),
)

# Each amendment or cancellation of a declaration: the version it replaced (header and goods
# items as they were), what changed field by field, who, when, why. Version 1 is the original.
declaration_versions = Table(
    "declaration_versions",
    metadata,
    Column(
        "declaration_id",
        _width("declaration_id"),
        ForeignKey(DECLARATION_KEY, ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("version", Integer, primary_key=True),  # the version this change made (2, 3, ...)
    Column("kind", String(16), nullable=False),  # amend, cancel
    Column("previous", JSON, nullable=False),  # {"header": {...}, "items": [{...}, ...]}
    Column("changes", JSON, nullable=False),  # [{field, item_no, before, after}]
    Column("actor", String(64), nullable=False),
    Column("reason", Text),
    Column("source", Text),  # "api", "cli", or the file and message that carried it
    Column("at", DateTime(timezone=True), nullable=False),
)

goods_items = Table(
    "goods_items",
    metadata,
    Column(
        "declaration_id",
        _width("declaration_id"),
        ForeignKey(DECLARATION_KEY, ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("item_no", Integer, primary_key=True),
    Column("hs_code", _width("hs_code"), nullable=False),
    Column("hs_edition", _width("hs_edition"), nullable=False),
    Column("hs_code_current", _width("hs_code")),  # the code in the node's current edition
    Column("description", Text),
    Column("origin_country", _width("origin_country")),
    Column("origin_marking", _width("origin_marking")),
    Column("net_mass_kg", Float),
    Column("quantity", Float),
    Column("quantity_unit", _width("quantity_unit")),
    Column("value", Float),
    Column("currency", _width("currency")),
    Column("value_reporting", Float),  # value converted to the node's reporting currency
    Column("duty_rate", Float),
    Column("duty_type", _width("duty_type")),
    Column("aeo", Boolean),
    Column("flags", Text),  # warning codes, comma-separated, e.g. "hs_older_edition"
    Column("row_hash", String(32), nullable=False),  # tells a true duplicate from a conflict
    sqlite_with_rowid=False,
)

outcomes = Table(
    "outcomes",
    metadata,
    Column(
        "declaration_id",
        String(64),
        ForeignKey(DECLARATION_KEY, ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("illicit", Boolean, nullable=False),
    Column("severity", SmallInteger, nullable=False, default=0),
    Column("revenue_recovered", Float),
    Column("inspected_on", Date),
    Column("officer", String(64)),
    Column("note", Text),
    Column("source", String(32), nullable=False),  # "ingest:<batch>" or "officer"
    Column("method", String(16)),  # documentary, physical, nii (borderlink.model.capacity)
    Column("recorded_at", DateTime(timezone=True), nullable=False),
)

# --- ingestion bookkeeping -------------------------------------------------------------------

ingest_batches = Table(
    "ingest_batches",
    metadata,
    Column("batch_id", String(36), primary_key=True),
    Column("source", Text, nullable=False),
    Column("source_sha256", String(64), nullable=False, index=True),
    Column("format", String(16), nullable=False),
    Column("mapping", Text),
    Column("status", String(16), nullable=False),  # running, finished, failed
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True)),
    Column("rows", Integer, nullable=False, default=0),
    Column("accepted", Integer, nullable=False, default=0),
    Column("rejected", Integer, nullable=False, default=0),
    Column("duplicates", Integer, nullable=False, default=0),
    Column("warnings", JSON),
    Column("errors", JSON),
)

rejects = Table(
    "rejects",
    metadata,
    Column("reject_id", Integer, primary_key=True, autoincrement=True),
    Column("fingerprint", String(64), nullable=False, unique=True),  # natural key: source + raw
    Column("batch_id", String(36), nullable=False, index=True),
    Column("source", Text, nullable=False),
    Column("format", String(16), nullable=False),
    Column("mapping", Text),
    Column("record_no", Integer, nullable=False),
    Column("declaration_id", String(64)),
    Column("item_no", Integer),
    Column("field", String(64), nullable=False),  # the first failing field
    Column("reason", String(64), nullable=False, index=True),  # the first failing reason
    Column("issues", JSON, nullable=False),  # every issue: [{field, reason, message, severity}]
    Column("raw", JSON, nullable=False),  # the record exactly as read
    Column("status", String(16), nullable=False, default="open"),  # open, resolved
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("resolved_at", DateTime(timezone=True)),
)

# --- audit ------------------------------------------------------------------------------------

audit_log = Table(
    "audit_log",
    metadata,
    Column("entry_id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False, index=True),
    Column("actor", String(64), nullable=False),
    Column("action", String(64), nullable=False),
    Column("object_type", String(32)),
    Column("object_id", String(128)),
    Column("reason", Text),
    Column("details", JSON),
)

# Which audit entry is which leaf of the node's verifiable log (services.audit_seal). A separate
# table because audit_log itself is never updated; append-only like it (triggers, 0008).
audit_chain = Table(
    "audit_chain",
    metadata,
    Column("entry_id", Integer, ForeignKey("audit_log.entry_id"), primary_key=True),
    Column(
        "leaf_index",
        Integer,
        ForeignKey("log_leaves.leaf_index"),
        nullable=False,
        unique=True,
    ),
)
