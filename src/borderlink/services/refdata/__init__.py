"""refdata use cases."""
