"""Use cases: one function per thing a user does, composing the inner packages with ``store``.

Transactions begin and end here. The shells (``cli``, ``api``, ``web``) call these and nothing
deeper.
"""

from borderlink.services.node import Node, open_node

__all__ = ["Node", "open_node"]
