"""coordination use cases."""
