"""accounts use cases."""
