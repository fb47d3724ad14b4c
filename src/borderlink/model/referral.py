"""A referral: customs asks another border agency (health, police, ...) to look at a declaration.

The agency answers by moving it along its lifecycle::

    open ──► acknowledged ──► cleared | held | rejected
      └───────────────────────►  ▲        │
                                 └────────┘   (held: detained pending tests; then cleared or
                                               rejected)

``cleared`` (released as far as the agency is concerned) and ``rejected`` (the consignment
refused entry by the agency) are final.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class ReferralStatus(StrEnum):
    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"  # seen by the agency, decision pending
    CLEARED = "cleared"  # no objection from the agency
    HELD = "held"  # detained by the agency (sample, test, documents)
    REJECTED = "rejected"  # refused entry by the agency


# Where each status may go next; an answer that repeats the current status changes nothing.
TRANSITIONS: dict[ReferralStatus, frozenset[ReferralStatus]] = {
    ReferralStatus.OPEN: frozenset(
        {
            ReferralStatus.ACKNOWLEDGED,
            ReferralStatus.CLEARED,
            ReferralStatus.HELD,
            ReferralStatus.REJECTED,
        }
    ),
    ReferralStatus.ACKNOWLEDGED: frozenset(
        {ReferralStatus.CLEARED, ReferralStatus.HELD, ReferralStatus.REJECTED}
    ),
    ReferralStatus.HELD: frozenset({ReferralStatus.CLEARED, ReferralStatus.REJECTED}),
    ReferralStatus.CLEARED: frozenset(),
    ReferralStatus.REJECTED: frozenset(),
}

# The agency's decision (what "answered" means for clearance times): not a mere acknowledgement.
DECISIONS: frozenset[ReferralStatus] = frozenset(
    {ReferralStatus.CLEARED, ReferralStatus.HELD, ReferralStatus.REJECTED}
)
# Still waiting on the agency.
PENDING: frozenset[ReferralStatus] = frozenset({ReferralStatus.OPEN, ReferralStatus.ACKNOWLEDGED})


class ReferralAnswer(BaseModel):
    """What an agency officer sends back."""

    model_config = ConfigDict(frozen=True)

    status: ReferralStatus
    finding: str | None = Field(
        default=None, max_length=4000, description="What the agency found or decided, and why"
    )
