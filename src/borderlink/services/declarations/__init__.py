"""declarations use cases."""
