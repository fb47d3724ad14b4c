"""Cooperation use cases: what this node shares with partner administrations, and under which
agreement.

- :mod:`.agreements`: register agreements, walk their lifecycle, exchange and compare both
  parties' signed copies;
- :mod:`.partners`: the node's identity and its partner nodes;
- :mod:`.records`: issue seizures, alerts and AEO statuses (:func:`~.records.issue_document`
  from a document), release each to the partners an agreement allows, revoke;
- :mod:`.receiving`: accept partners' envelopes;
- :mod:`.retention`: withdraw what is past retention, or past an ended agreement's;
- :mod:`.sharing`: the inbox and outbox people read.

Also re-exports the domain pieces the shells hand to these use cases, so a shell never imports
the inner packages: :class:`Partner` (a partner node's identity) and
:func:`load_agreement_yaml` (building the agreement that ``agreements`` takes; records are built
by :func:`.records.issue_document`).
"""

from borderlink.cooperation.agreements import load_agreement_yaml
from borderlink.exchange.identity import Partner

__all__ = ["Partner", "load_agreement_yaml"]
