"""Capacity building use cases: training records, certifications, exercises.

- :mod:`.training`: record an officer's course (and so the certification it grants), withdraw a
  certification, read one's own record or (``training:manage``) anyone's, the certifications in
  force and those lapsing soon;
- :mod:`.certifications`: the node's requirements (actions reserved to certified people) and
  :func:`~.certifications.require_certified`, the check other use cases call in their
  transaction before a gated act;
- :mod:`.exercises`: install exercises with their answer keys on a sandbox node, list them,
  and mark an attempt against the planted truth into the trainee's training record.
"""
