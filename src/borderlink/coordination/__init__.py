"""Coordination with the other border agencies: routing rules, referrals, clearance times, and
the work at the border post.

Pure functions over plain data and Polars frames (no database, no HTTP):

- :mod:`~borderlink.coordination.rules`: :class:`AgencyRule` (agency routing rules are data),
  :func:`parse_rules`, :func:`read_rules_file`, :func:`builtin_rules`
- :mod:`~borderlink.coordination.routing`: :func:`compile_rules`, :func:`route` (goods items in,
  one decision per declaration and agency out)
- :mod:`~borderlink.coordination.referrals`: :func:`check_transition` (the referral lifecycle)
- :mod:`~borderlink.coordination.clearance`: :func:`clearance_times` (p50/p90 per agency),
  :func:`clearance_by_day` (declarations from arrival to release)
- :mod:`~borderlink.coordination.joint`: :class:`JointPlan`, :func:`check_plan`, the parts'
  status and the :func:`saving` against separate inspections
- :mod:`~borderlink.coordination.incidents`: incident templates as data, checked values,
  :func:`merge` (the report as it stands), the seizure or alert an incident becomes
- :mod:`~borderlink.coordination.sops`: versioned standard operating procedures, which apply
- :mod:`~borderlink.coordination.inspections`: the structured inspection report and the
  office's daily capacity
"""

from borderlink.coordination.clearance import (
    OVERALL,
    AgencyClearance,
    DayClearance,
    clearance_by_day,
    clearance_times,
)
from borderlink.coordination.incidents import IncidentTemplate, merge
from borderlink.coordination.inspections import InspectionReport, ItemFinding, Method
from borderlink.coordination.joint import CUSTOMS, JointPlan, JointStatus, saving
from borderlink.coordination.referrals import check_transition
from borderlink.coordination.routing import CompiledRule, compile_rules, empty_decisions, route
from borderlink.coordination.rules import AgencyRule, builtin_rules, parse_rules, read_rules_file
from borderlink.coordination.sops import Sop, SopDraft

__all__ = [
    "CUSTOMS",
    "OVERALL",
    "AgencyClearance",
    "AgencyRule",
    "CompiledRule",
    "DayClearance",
    "IncidentTemplate",
    "InspectionReport",
    "ItemFinding",
    "JointPlan",
    "JointStatus",
    "Method",
    "Sop",
    "SopDraft",
    "builtin_rules",
    "check_transition",
    "clearance_by_day",
    "clearance_times",
    "compile_rules",
    "empty_decisions",
    "merge",
    "parse_rules",
    "read_rules_file",
    "route",
    "saving",
]
