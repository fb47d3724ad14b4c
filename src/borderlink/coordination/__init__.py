"""Coordination with the other border agencies: routing rules, referrals, clearance times.

Pure functions over plain data and Polars frames (no database, no HTTP):

- :mod:`~borderlink.coordination.rules`: :class:`AgencyRule` (agency routing rules are data),
  :func:`parse_rules`, :func:`read_rules_file`, :func:`builtin_rules`
- :mod:`~borderlink.coordination.routing`: :func:`compile_rules`, :func:`route` (goods items in,
  one decision per declaration and agency out)
- :mod:`~borderlink.coordination.referrals`: :func:`check_transition` (the referral lifecycle)
- :mod:`~borderlink.coordination.clearance`: :func:`clearance_times` (p50/p90 per agency),
  :func:`clearance_by_day` (declarations from arrival to release)
"""

from borderlink.coordination.clearance import (
    OVERALL,
    AgencyClearance,
    DayClearance,
    clearance_by_day,
    clearance_times,
)
from borderlink.coordination.referrals import check_transition
from borderlink.coordination.routing import CompiledRule, compile_rules, empty_decisions, route
from borderlink.coordination.rules import AgencyRule, builtin_rules, parse_rules, read_rules_file

__all__ = [
    "OVERALL",
    "AgencyClearance",
    "AgencyRule",
    "CompiledRule",
    "DayClearance",
    "builtin_rules",
    "check_transition",
    "clearance_by_day",
    "clearance_times",
    "compile_rules",
    "empty_decisions",
    "parse_rules",
    "read_rules_file",
    "route",
]
