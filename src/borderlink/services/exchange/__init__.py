"""Exchange use cases: the node's verifiable log and its traffic with partner nodes.

- :mod:`.log`: append under the node's log lock, signed tree heads, proofs, verification,
  witnessing partners' heads;
- :mod:`.sync`: pull what partners released to this node, notices, the sync scheduler;
- :mod:`.taxii`: the TAXII 2.1 collections partners read.
"""
