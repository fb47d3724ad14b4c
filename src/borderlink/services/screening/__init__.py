"""Screening use cases: watchlists in the node (:mod:`.watchlists`: load, reload, list, show,
diff), screening the stored parties and conveyances against them (:mod:`.run`), the hits and
the analysts' decisions on them, and the hits as risk reasons in scoring (:mod:`.hits`),
scoring labelled name pairs (:mod:`.compare`), and partners' alerts in force, matched against
declarations being scored (:mod:`.partner_alerts`).

Also re-exports :func:`match_alerts` (partners' alerts against a frame of declarations) for the
shells, which never import the inner packages.
"""

from borderlink.cooperation import match_alerts

__all__ = ["match_alerts"]
