"""All tables of the node in one MetaData: each area's table module registers on it when imported.

Alembic compares against this, so a table module missing here is a table Alembic would drop.
"""

import borderlink.store.accounts_tables  # registers the accounts tables
import borderlink.store.capacity_tables  # registers training, certifications, exercises
import borderlink.store.cooperation_tables  # registers the cooperation tables
import borderlink.store.coordination_tables  # registers the referral tables
import borderlink.store.exchange_tables  # registers the log's subtrees, nonces and key history
import borderlink.store.jobs_tables  # registers the background jobs
import borderlink.store.risk_tables  # registers the risk tables
import borderlink.store.screening_tables  # registers watchlists and their hits
import borderlink.store.stream_tables
import borderlink.store.trade_tables  # noqa: F401 - registers MRAs and their trader id mappings
from borderlink.store.tables import metadata

__all__ = ["metadata"]
