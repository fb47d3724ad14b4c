"""screening use cases.

Re-exports :func:`match_alerts` (partners' alerts against a frame of declarations) for the
shells, which never import the inner packages.
"""

from borderlink.cooperation import match_alerts

__all__ = ["match_alerts"]
