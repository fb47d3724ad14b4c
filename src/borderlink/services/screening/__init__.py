"""Screening use cases: partners' alerts in force, matched against declarations being scored
(:mod:`.partner_alerts`).

Also re-exports :func:`match_alerts` (partners' alerts against a frame of declarations) for the
shells, which never import the inner packages.
"""

from borderlink.cooperation import match_alerts

__all__ = ["match_alerts"]
