"""Cooperation use cases: what this node shares with partner administrations, and under which
agreement.

- :mod:`.agreements`: register agreements and walk their lifecycle;
- :mod:`.partners`: the node's identity and its partner nodes;
- :mod:`.records`: issue seizures, alerts and AEO statuses (:func:`~.records.issue_document`
  from a document), release each to the partners an agreement allows, revoke;
- :mod:`.receiving`: accept partners' envelopes, purge what is past retention;
- :mod:`.sharing`: the inbox and outbox people read.
"""
