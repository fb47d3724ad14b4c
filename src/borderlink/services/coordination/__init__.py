"""Coordination use cases: referrals of declarations to other border agencies.

- :mod:`.agency_rules`: the routing rules (save, load a file or the built-in set, list);
- :mod:`.routing`: apply the rules to stored declarations (:func:`~.routing.route_declarations`)
  or to those just submitted or scored;
- :mod:`.referrals`: list, show and answer referrals, within an agency's scope;
- :mod:`.clearance`: how long declarations and agencies take.
"""
