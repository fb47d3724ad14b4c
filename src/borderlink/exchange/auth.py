"""Node-to-node request authentication: each HTTP request carries a signed token.

``Authorization: BorderLink-Signature <jws>`` where the JWS (EdDSA, by the calling node) covers
the method, the path with its query exactly as sent, the SHA-256 of the body and the time. The
receiving node checks it against the caller's registered key and its clock window; user tokens
play no part between nodes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from collections.abc import Mapping

from borderlink.errors import IntegrityFailure, PermissionDenied
from borderlink.exchange.envelope import check_fresh, sign, verify
from borderlink.exchange.identity import NodeIdentity, Partner
from borderlink.exchange.stix import parse_timestamp, timestamp

SCHEME = "BorderLink-Signature"
REQUEST = "borderlink-request+jws"


def authorization(
    identity: NodeIdentity, method: str, path: str, body: bytes, now: dt.datetime
) -> str:
    """The ``Authorization`` header value for one request (``path`` includes the query)."""
    token = sign(
        identity,
        {
            "sender": identity.node_id,
            "method": method.upper(),
            "path": path,
            "body_sha256": hashlib.sha256(body).hexdigest(),
            "issued_at": timestamp(now),
            "nonce": uuid.uuid4().hex,
        },
        typ=REQUEST,
    )
    return f"{SCHEME} {token}"


def authenticate(
    header: str | None,
    partners: Mapping[str, Partner],
    *,
    method: str,
    path: str,
    body: bytes,
    now: dt.datetime,
    skew: dt.timedelta,
) -> Partner:
    """The partner that signed this request; :class:`PermissionDenied` / ``IntegrityFailure``."""
    if not header or not header.startswith(SCHEME + " "):
        raise PermissionDenied(f"node-to-node call without a {SCHEME} authorization")
    verified = verify(header[len(SCHEME) + 1 :].strip(), partners, typ=REQUEST)
    p = verified.payload
    if p.get("method") != method.upper() or p.get("path") != path:
        raise IntegrityFailure("signed request does not match the method and path called")
    if p.get("body_sha256") != hashlib.sha256(body).hexdigest():
        raise IntegrityFailure("signed request does not match the body sent")
    try:
        issued = parse_timestamp(str(p.get("issued_at")))
    except ValueError as error:
        raise IntegrityFailure("signed request has no valid time") from error
    check_fresh(issued, now, skew)
    return partners[verified.sender]
