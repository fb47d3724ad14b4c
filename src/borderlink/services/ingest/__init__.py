"""ingest use cases."""
