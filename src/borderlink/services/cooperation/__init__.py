"""cooperation use cases.

Re-exports the domain pieces the shells hand to these use cases, so a shell never imports the
inner packages: :class:`Partner` (a partner node's identity), :func:`load_agreement_yaml` and
:func:`new_record` (building the values that ``agreements`` and ``records`` take).
"""

from borderlink.cooperation.agreements import load_agreement_yaml
from borderlink.cooperation.records import new_record
from borderlink.exchange.identity import Partner

__all__ = ["Partner", "load_agreement_yaml", "new_record"]
