"""Trusted-trader tables: the MRAs this node applies, and each MRA's trader id mapping.

AEO statuses themselves are cooperation records (``coop_records``, kind ``aeo-status``), issued
here or received from partners; these tables say which of them count, and for whom here.
"""

from __future__ import annotations

from sqlalchemy import JSON, Column, DateTime, String, Table

from borderlink.store.tables import metadata

mras = Table(
    "mras",
    metadata,
    Column("mra_id", String(64), primary_key=True),
    Column("partner_id", String(64), nullable=False, index=True),
    Column("document", JSON, nullable=False),  # the Mra as data
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("updated_by", String(64), nullable=False),
)

# One MRA's mapping: the partner's trader id (EORI, TIN or its own AEO number, as
# borderlink.model.aeo.trader_key writes it) to an EORI/TIN declared here. The three columns
# are the natural key, so loading the same mapping twice changes nothing.
mra_trader_ids = Table(
    "mra_trader_ids",
    metadata,
    Column("mra_id", String(64), primary_key=True),
    Column("partner_trader_id", String(64), primary_key=True),
    Column("local_trader_id", String(64), primary_key=True),
    Column("added_at", DateTime(timezone=True), nullable=False),
    Column("added_by", String(64), nullable=False),
)
