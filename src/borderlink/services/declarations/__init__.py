"""Declarations use cases: reading what the node holds, with the need-to-know rules applied.

- :mod:`.read`: list and show declarations (office scope, redaction of nominal data), record an
  inspection's outcome (:func:`~.read.record_outcome`, the one place outcomes are written);
- :mod:`.redaction`: party ids withheld from readers without ``nominal:read`` in what derives
  from a declaration too (score reasons, explanations, queue rows);
- :mod:`.browse`: rejected records and the audit log, as people read them;
- :mod:`.dashboard`: the day's figures and two weeks' trend;
- :mod:`.summary`: what the node holds, in a few numbers (the demo's report).
"""
