"""Signed pages: one signature per page of a partner's collection, over its envelopes' digests.

A node serving a page of record envelopes signs, once, what the page is (``borderlink-page+jws``):
for whom, from which cursor, to which ``next`` (and whether ``more`` follows), and the SHA-256
digest of each envelope in order (``null`` for an envelope it does not vouch for: one its log
does not record as sent). The receiver verifies that one signature and hashes each envelope: an
envelope whose bytes hash to the digest the page names is vouched for by its sender's page
signature, so its own signature need not be checked again (it stays stored for provenance, and
is checked whenever the envelope comes alone: a push, a retry from quarantine). An envelope the
page does not vouch for, tampered or not, is verified on its own as before, and refused
individually. The count, the cursor and ``next`` are signed too: a page that lost an envelope on
the way, or says it starts elsewhere, is refused whole (the cursor does not move).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from borderlink.errors import IntegrityFailure
from borderlink.exchange.envelope import check_fresh, digest, sign, verify
from borderlink.exchange.identity import NodeIdentity, Partner
from borderlink.exchange.stix import parse_timestamp, timestamp

PAGE = "borderlink-page+jws"


@dataclass(frozen=True)
class PageManifest:
    """A verified page signature: the envelope digests its sender vouches for, in order."""

    sender: str
    after: int
    next: int | None
    more: bool
    digests: tuple[str | None, ...]

    def vouches(self, position: int, token: str) -> bool:
        """Whether the envelope at ``position`` is, byte for byte, the one the page signed."""
        return 0 <= position < len(self.digests) and self.digests[position] == digest(token)


def sign_page(
    identity: NodeIdentity,
    *,
    recipient: str,
    after: int,
    next: int | None,  # the TAXII parameter's name
    more: bool,
    digests: Sequence[str | None],
    now: dt.datetime,
) -> str:
    """The signature of one page served to ``recipient``, paged from cursor ``after``."""
    payload = {
        "v": 1,
        "sender": identity.node_id,
        "recipient": recipient,
        "after": after,
        "next": next,
        "more": more,
        "issued_at": timestamp(now),
        "digests": list(digests),
    }
    return sign(identity, payload, typ=PAGE)


def open_page(
    token: str,
    partner: Partner,
    *,
    me: str,
    after: int,
    count: int,
    now: dt.datetime,
    skew: dt.timedelta = dt.timedelta(minutes=5),
) -> PageManifest:
    """Verify the signature of a page ``partner`` served this node from cursor ``after``,
    carrying ``count`` envelopes; :class:`IntegrityFailure` names what does not hold."""
    p = verify(token, {partner.partner_id: partner}, typ=PAGE).payload
    if p.get("recipient") != me:
        raise IntegrityFailure(f"page signed for {p.get('recipient')!r}, not for this node ({me})")
    try:
        issued = parse_timestamp(str(p.get("issued_at")))
    except ValueError as error:
        raise IntegrityFailure("page signature without a valid time") from error
    check_fresh(issued, now, skew)
    digests, nxt = p.get("digests"), p.get("next")
    if not isinstance(digests, list) or not all(d is None or isinstance(d, str) for d in digests):
        raise IntegrityFailure("page signature without its list of digests")
    if p.get("after") != after or not (nxt is None or isinstance(nxt, int)):
        raise IntegrityFailure(f"page signed from cursor {p.get('after')!r}, asked from {after}")
    if len(digests) != count:
        raise IntegrityFailure(
            f"page signed over {len(digests)} envelopes, {count} arrived: the page is refused"
        )
    return PageManifest(partner.partner_id, after, nxt, bool(p.get("more")), tuple(digests))
