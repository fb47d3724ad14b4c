"""Ingest use cases: declarations in, every row accounted for.

- :mod:`.files`: ingest a file (CSV, WCO JSON, ...) through validation into the store;
- :mod:`.rejects`: rejected rows, kept with their reasons, and retrying them;
- :mod:`.submission`: declarations submitted over the API, scored and routed on arrival.
"""
