"""Exchange between nodes: identity and keys, signed envelopes, the verifiable log, STIX/TAXII.

Offers :class:`NodeIdentity` and :class:`Partner` (identity), :func:`seal` / :func:`open_envelope`
/ :func:`sign` / :func:`verify` / :func:`canonical` (envelopes, RFC 8785 + EdDSA JWS),
:func:`sign_request` / :func:`authenticate` (node-to-node requests, RFC 9421 HTTP Message
Signatures), the Merkle log functions (:func:`root`, :func:`inclusion_proof`,
:func:`consistency_proof`, :func:`verify_inclusion`, :func:`verify_consistency`,
:class:`TreeHead`; stored subtrees in :mod:`borderlink.exchange.merkle_log`), :func:`to_stix` /
:func:`from_stix`, and :class:`PartnerClient` (the HTTP side, used by ``services``).
"""

from borderlink.exchange.auth import authenticate, sign_request
from borderlink.exchange.client import PartnerClient, inbox_collection, outbox_collection
from borderlink.exchange.envelope import (
    Envelope,
    canonical,
    open_envelope,
    seal,
    sign,
    verify,
)
from borderlink.exchange.identity import NodeIdentity, Partner
from borderlink.exchange.merkle_log import (
    TreeHead,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    root,
    verify_consistency,
    verify_inclusion,
)
from borderlink.exchange.stix import from_stix, to_stix

__all__ = [
    "Envelope",
    "NodeIdentity",
    "Partner",
    "PartnerClient",
    "TreeHead",
    "authenticate",
    "canonical",
    "consistency_proof",
    "from_stix",
    "inbox_collection",
    "inclusion_proof",
    "leaf_hash",
    "open_envelope",
    "outbox_collection",
    "root",
    "seal",
    "sign",
    "sign_request",
    "to_stix",
    "verify",
    "verify_consistency",
    "verify_inclusion",
]
