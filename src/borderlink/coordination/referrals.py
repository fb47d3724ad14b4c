"""The referral lifecycle as a pure check: may an answer move a referral where it asks?"""

from __future__ import annotations

from borderlink.errors import Conflict
from borderlink.model.referral import TRANSITIONS, ReferralStatus


def check_transition(current: ReferralStatus, wanted: ReferralStatus, *, referral: str) -> bool:
    """True when the answer changes the status, False when it repeats it (nothing to do);
    :class:`~borderlink.errors.Conflict` naming the referral when the lifecycle forbids it."""
    if wanted == current:
        return False
    if wanted not in TRANSITIONS[current]:
        allowed = ", ".join(sorted(TRANSITIONS[current])) or "nothing: it is closed"
        raise Conflict(
            f"referral {referral} is {current}: it may become {allowed}, not {wanted}",
            field="status",
        )
    return True
