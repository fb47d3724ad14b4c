"""BorderLink: one node of a customs administration's risk and cooperation platform.

The code follows the path of a declaration (see DESIGN.md): ``ingest`` → ``refdata`` harmonising →
``screening`` → ``risk`` → ``coordination``; ``cooperation`` and ``exchange`` share findings with
partner nodes; ``store`` persists; ``services`` composes use cases; ``api``, ``web`` and ``cli``
are the shells.
"""

__version__ = "0.1.0"
