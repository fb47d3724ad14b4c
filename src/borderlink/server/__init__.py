"""The HTTP shell of a node. Offers :func:`create_app`.

``app`` builds the app; ``deps`` (the node, the principal, permissions, and :func:`blocking`,
the one way a handler runs blocking work), ``errors`` (the error body and its status from the one
table), ``openapi`` (what the document says each operation can answer), ``plugins`` (routers and
page areas from entry points), ``security`` (response headers), ``background`` (the heap settled
at startup, the audit sealer); ``api/`` (JSON under ``/api/v1``, TAXII under ``/taxii2/``) and
``pages/`` (what people use) side by side, neither importing the other.
"""

from borderlink.server.app import create_app

__all__ = ["create_app"]
