"""risk use cases."""
