"""Node identity: the node's Ed25519 signing key, and the partners it knows by their public keys.

The private key lives in one PEM file (mode 0600) under the node's data directory; a partner is
known by its id, display name, base URL and raw Ed25519 public key (base64url, 43 characters),
and by the keys it signed with before (:class:`RetiredKey`): after a key rotation each old key
still verifies what was signed (by the signer's own account of the time) up to the end of its
overlap, so old envelopes still verify and fresh tokens move to the new key. Pure functions over
bytes and files: the partner registry's storage is in ``services.cooperation.partners``.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from borderlink.errors import ConfigurationError, Conflict, IntegrityFailure, InvalidInput

_FROM_URLSAFE = bytes.maketrans(b"-_", b"+/")


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    # What base64.urlsafe_b64decode does (same alphabet, same lenience), without its layers of
    # calls: it runs twice on every envelope received.
    try:
        padded = (text + "=" * (-len(text) % 4)).encode("ascii")
        return binascii.a2b_base64(padded.translate(_FROM_URLSAFE))
    except (ValueError, TypeError) as error:
        raise IntegrityFailure(f"not base64url: {error}") from error


@dataclass(frozen=True)
class NodeIdentity:
    """Who this node is, and the key it signs with."""

    node_id: str
    name: str
    private_key: Ed25519PrivateKey

    @property
    def public_key(self) -> str:
        return public_key_text(self.private_key.public_key())

    def sign(self, message: bytes) -> bytes:
        return self.private_key.sign(message)


@dataclass(frozen=True)
class RetiredKey:
    """A key a node signed with before a rotation, accepted for what it signed until ``until``."""

    public_key: str
    until: dt.datetime  # the end of the rotation's overlap


@dataclass(frozen=True)
class Partner:
    """Another node this node exchanges with."""

    partner_id: str
    name: str
    public_key: str  # raw Ed25519 public key, base64url: the current one
    base_url: str
    retired: tuple[RetiredKey, ...] = ()  # earlier keys, newest first

    def keys_at(self, signed_at: dt.datetime | None) -> list[str]:
        """The keys that may have signed something at ``signed_at`` (None: the current only)."""
        keys = [self.public_key]
        if signed_at is not None:
            keys += [k.public_key for k in self.retired if signed_at <= k.until]
        return keys

    def verify(
        self, signature: bytes, message: bytes, *, signed_at: dt.datetime | None = None
    ) -> None:
        """Raise :class:`IntegrityFailure` unless ``signature`` is this partner's.

        ``signed_at``: when the signer says it signed; a retired key is tried only when that
        falls within its overlap (the callers check fresh tokens against the clock).
        """
        for key in self.keys_at(signed_at):
            try:
                load_public_key(key).verify(signature, message)
            except InvalidSignature:
                continue
            return
        raise IntegrityFailure(
            f"signature does not verify with the key of partner {self.partner_id!r}"
        )


def public_key_text(key: Ed25519PublicKey) -> str:
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return b64url(raw)


@lru_cache(maxsize=1024)
def load_public_key(text: str) -> Ed25519PublicKey:
    """Parse a raw base64url Ed25519 public key (what ``borderlink node init`` prints)."""
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        return Ed25519PublicKey.from_public_bytes(raw)
    except ValueError as error:
        raise InvalidInput(f"not an Ed25519 public key: {error}", field="public_key") from error


def create_key(path: Path, *, overwrite: bool = False) -> Ed25519PrivateKey:
    """Generate a new signing key and write it as PEM, readable by the owner only."""
    if path.exists() and not overwrite:
        raise Conflict(f"a node key already exists at {path}; refusing to replace it")
    key = Ed25519PrivateKey.generate()
    write_key(path, key)
    return key


def write_key(path: Path, key: Ed25519PrivateKey) -> None:
    """Write ``key`` as PEM (mode 0600), replacing the file at once (a rotation's last step)."""
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(pem)
    os.replace(tmp, path)


def load_key(path: Path) -> Ed25519PrivateKey:
    """Read the node's signing key; refuse a missing file, another key type or loose permissions."""
    if not path.is_file():
        raise ConfigurationError(f"no node key at {path}: run `borderlink node init` first")
    if os.name == "posix" and path.stat().st_mode & 0o077:
        raise ConfigurationError(f"node key {path} is readable by others; chmod 600 it")
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ConfigurationError(f"node key {path} is not an Ed25519 key")
    return key
