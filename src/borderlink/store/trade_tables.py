"""Trade facilitation tables: the MRAs this node applies and each MRA's trader id mapping, and
the post-clearance audit cases of the blue channel.

AEO statuses themselves are cooperation records (``coop_records``, kind ``aeo-status``), issued
here or received from partners; these tables say which of them count, and for whom here.
"""

from __future__ import annotations

from sqlalchemy import JSON, Column, Date, DateTime, Float, String, Table, Text, UniqueConstraint

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

# Post-clearance audit cases: a trader's blue declarations over a period, one case per
# (trader, period); a declaration belongs to one case at most (its key in the second table).
pca_cases = Table(
    "pca_cases",
    metadata,
    Column("case_id", String(160), primary_key=True),  # PCA:<trader>:<from>:<until>
    Column("trader_id", String(64), nullable=False, index=True),
    Column("period_from", Date, nullable=False),
    Column("period_until", Date, nullable=False),
    Column("status", String(16), nullable=False),  # open, assigned, closed
    Column("auditor", String(64)),
    Column("opened_by", String(64), nullable=False),
    Column("opened_at", DateTime(timezone=True), nullable=False),
    Column("result", String(16)),  # compliant, irregular
    Column("findings", Text),
    Column("revenue_recovered", Float),
    Column("currency", String(3)),
    Column("closed_by", String(64)),
    Column("closed_at", DateTime(timezone=True)),
    UniqueConstraint("trader_id", "period_from", "period_until", name="uq_pca_cases_period"),
)

pca_case_declarations = Table(
    "pca_case_declarations",
    metadata,
    Column("declaration_id", String(64), primary_key=True),
    Column("case_id", String(160), nullable=False, index=True),
)
