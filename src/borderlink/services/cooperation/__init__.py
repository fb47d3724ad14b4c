"""cooperation use cases."""
