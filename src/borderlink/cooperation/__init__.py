"""Cooperation between administrations: agreements as data and the one release policy.

Offers :func:`parse_agreement`, :func:`load_agreement_yaml`, :func:`transition`,
:func:`in_force`, :data:`TRANSITIONS`, the policy :func:`release` with its results
:class:`Released` / :class:`Denial` / :class:`Removal`, and the alert matching
:func:`match_alerts`.
"""

from borderlink.cooperation.agreements import (
    TRANSITIONS,
    between,
    in_force,
    load_agreement_yaml,
    parse_agreement,
    transition,
)
from borderlink.cooperation.policy import Denial, Released, Removal, release

__all__ = [
    "TRANSITIONS",
    "Denial",
    "Released",
    "Removal",
    "between",
    "in_force",
    "load_agreement_yaml",
    "parse_agreement",
    "release",
    "transition",
]
