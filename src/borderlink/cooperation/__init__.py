"""Cooperation between administrations: agreements as data and the one release policy.

Offers :func:`parse_agreement`, :func:`load_agreement_yaml`, :func:`transition`,
:func:`in_force`, :data:`TRANSITIONS`, the policy :func:`release` with its results
:class:`Released` / :class:`Denial` / :class:`Removal`, and the alert matching
:func:`match_alerts` (with :func:`alert_from_seizure`, :func:`partner_alert`), and
:func:`new_record` (a new alert, seizure or AEO status from user input).
"""

from borderlink.cooperation.agreements import (
    TRANSITIONS,
    between,
    in_force,
    load_agreement_yaml,
    parse_agreement,
    transition,
)
from borderlink.cooperation.alerts import alert_from_seizure, match_alerts, partner_alert
from borderlink.cooperation.policy import Denial, Released, Removal, release
from borderlink.cooperation.records import new_record

__all__ = [
    "TRANSITIONS",
    "Denial",
    "Released",
    "Removal",
    "alert_from_seizure",
    "between",
    "in_force",
    "load_agreement_yaml",
    "match_alerts",
    "new_record",
    "parse_agreement",
    "partner_alert",
    "release",
    "transition",
]
