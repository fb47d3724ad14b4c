"""Risk use cases: from stored outcomes to a model, from declarations to channels.

- :mod:`.models`: train a model, load one (through the node's bounded model cache), list them;
- :mod:`.score`: score the stored flow a day at a time, or declarations on arrival (batched
  through the node's :mod:`.batcher`);
- :mod:`.profiles`: analysts' profiles: save, list with hit rates, disable, replay over history;
- :mod:`.targeting`: the targeting queue and each declaration's latest score;
- :mod:`.evaluation`: evaluate a model on files.

Also re-exports the domain types the shells pass in or render, so a shell never imports
``risk``: :class:`Profile` (an analyst's risk profile) and :class:`CapacityPolicy` (channel
cut-offs).
"""

from borderlink.risk import CapacityPolicy, Profile

__all__ = ["CapacityPolicy", "Profile"]
