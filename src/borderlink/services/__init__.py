"""Use cases: one function per thing a user does, composing the inner packages with ``store``.

Grouped like the inner packages (:mod:`.accounts`, :mod:`.ingest`, :mod:`.refdata`,
:mod:`.declarations`, :mod:`.screening`, :mod:`.risk`, :mod:`.coordination`,
:mod:`.cooperation`, :mod:`.exchange`). Every use case takes the acting
:class:`~.accounts.access.Principal` and authorises itself, so the CLI, the API and the pages get
the same answer from the same place. Transactions begin and end here, through
:meth:`Node.transaction` and :meth:`Node.read`; what a node keeps in memory lives in its
:class:`~.runtime.Runtime`. The shells (``cli``, ``server``, ``demo``) call these and nothing
deeper.
"""

from borderlink.services.node import Node, open_node

__all__ = ["Node", "open_node"]
