"""The ``borderlink`` command line: parses, calls one service, renders."""

from borderlink.cli.app import app, main

__all__ = ["app", "main"]
