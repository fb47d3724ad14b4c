"""exchange use cases."""
