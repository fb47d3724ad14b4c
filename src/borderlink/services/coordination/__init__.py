"""Coordination use cases: referrals of declarations to other border agencies, and the border
post's work with them.

- :mod:`.agency_rules`: the routing rules (save, load a file or the built-in set, list);
- :mod:`.routing`: apply the rules to stored declarations (:func:`~.routing.route_declarations`)
  or to those just submitted or scored;
- :mod:`.referrals`: list, show and answer referrals, within an agency's scope;
- :mod:`.clearance`: how long declarations and agencies take;
- :mod:`.joint`: joint inspections (plan, cancel, read with each agency's part, the saving);
- :mod:`.incidents`: incident reports (open, add to, read; to a seizure report or an alert);
- :mod:`.sops`: agencies' standard operating procedures (publish, read, which apply);
- :mod:`.inspections`: customs inspections (capacity, assignment, structured report);
- :mod:`.seizures`: a seizure found at inspection, reported to partners.
"""
