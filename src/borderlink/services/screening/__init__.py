"""screening use cases."""
