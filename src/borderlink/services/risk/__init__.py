"""risk use cases.

Re-exports the domain types the shells pass in or render, so a shell never imports ``risk``:
:class:`Profile` (an analyst's risk profile) and :class:`CapacityPolicy` (channel cut-offs).
"""

from borderlink.risk import CapacityPolicy, Profile

__all__ = ["CapacityPolicy", "Profile"]
