"""The HTTP API (FastAPI), versioned under ``/api/v1``. Offers :func:`create_app`."""

from borderlink.server.app import create_app

__all__ = ["create_app"]
