from __future__ import annotations

import stat
from pathlib import Path

import pytest

from borderlink.errors import ConfigurationError, Conflict, IntegrityFailure, InvalidInput
from borderlink.exchange.identity import (
    NodeIdentity,
    Partner,
    create_key,
    load_key,
    load_public_key,
)


def test_key_file_is_private_and_round_trips(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "node.pem"
    key = create_key(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    again = NodeIdentity("A", "Atlantis", load_key(path))
    assert again.public_key == NodeIdentity("A", "Atlantis", key).public_key
    with pytest.raises(Conflict):
        create_key(path)


def test_missing_or_loose_key_is_a_configuration_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="node init"):
        load_key(tmp_path / "none.pem")
    path = tmp_path / "node.pem"
    create_key(path)
    path.chmod(0o644)
    with pytest.raises(ConfigurationError, match="readable by others"):
        load_key(path)


def test_partner_verifies_its_own_signature_only(tmp_path: Path) -> None:
    a = NodeIdentity("A", "Atlantis", create_key(tmp_path / "a.pem"))
    b = NodeIdentity("B", "Borduria", create_key(tmp_path / "b.pem"))
    as_partner = Partner("A", "Atlantis", a.public_key, "http://127.0.0.1:1")
    as_partner.verify(a.sign(b"hello"), b"hello")
    with pytest.raises(IntegrityFailure):
        as_partner.verify(b.sign(b"hello"), b"hello")
    with pytest.raises(IntegrityFailure):
        as_partner.verify(a.sign(b"hello"), b"hellO")


def test_malformed_public_key_is_invalid_input() -> None:
    with pytest.raises(InvalidInput):
        load_public_key("not-a-key")
