"""Release this node's model knowledge to a partner, under an agreement that allows it.

A release (:mod:`borderlink.risk.shared_stats`: k-anonymous, noisy per-feature statistics from
the inspected history; never a declaration, never a domestic trader) is made only for a partner
with which an agreement in force names technical assistance or model knowledge among its
purposes. Each release is audited with the agreement, the terms (k, epsilon, seed) and how much
was published and withheld. Sending it signed through the exchange log is not built yet: the
caller receives the release.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from borderlink.cooperation.agreements import between, in_force
from borderlink.errors import InvalidInput, PolicyDenied
from borderlink.risk.shared_stats import SharedStats, SharingPolicy, compute
from borderlink.services.accounts import audit
from borderlink.services.accounts.access import Permission, Principal, require
from borderlink.services.cooperation.agreements import load_agreements
from borderlink.services.node import Node
from borderlink.services.risk._store import read_items

PURPOSES = frozenset({"technical-assistance", "model-knowledge"})


@dataclass(frozen=True)
class Release:
    agreement_id: str
    partner_id: str
    stats: SharedStats


def release_statistics(
    node: Node,
    principal: Principal,
    partner_id: str,
    *,
    policy: SharingPolicy | None = None,
    seed: int,
    on: dt.date | None = None,
) -> Release:
    """Shared statistics for ``partner_id``, refused (:class:`PolicyDenied`) without an
    agreement in force for technical assistance or model knowledge."""
    require(principal, Permission.MODELS_MANAGE)
    day = on or dt.datetime.now(dt.UTC).date()
    me = node.settings.node_id
    with node.read() as conn:
        agreements = load_agreements(conn)
    covering = [
        a for a in between(agreements, me, partner_id) if in_force(a, day) and a.purposes & PURPOSES
    ]
    if not covering:
        raise PolicyDenied(
            f"no agreement in force with {partner_id} for {' or '.join(sorted(PURPOSES))}",
            field="partner_id",
        )
    frame = read_items(node, labelled_only=True)
    if frame.height == 0:
        raise InvalidInput("nothing inspected yet: no statistics to share")
    policy = policy or SharingPolicy()
    stats = compute(frame, node=me, policy=policy, seed=seed)
    published = sum(t.height for t in (*stats.rates.values(), *stats.references.values()))
    with node.transaction() as conn:
        audit.record(
            conn,
            actor=principal.username,
            action="shared_stats.release",
            object_type="partner",
            object_id=partner_id,
            details={
                "agreement_id": covering[0].agreement_id,
                "k": policy.k,
                "epsilon": policy.epsilon,
                "seed": seed,
                "published": published,
                "withheld": sum(stats.suppressed.values()),
            },
        )
    return Release(covering[0].agreement_id, partner_id, stats)
