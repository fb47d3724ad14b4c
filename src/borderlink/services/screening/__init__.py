"""Screening use cases: partners' alerts in force, matched against declarations being scored
(:mod:`.partner_alerts`)."""
