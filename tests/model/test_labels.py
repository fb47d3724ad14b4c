"""Human labels for coded fields."""

from __future__ import annotations

from borderlink.model import labels


def test_transport_modes_read_as_words() -> None:
    assert labels.transport_mode("1") == "sea"
    assert labels.transport_mode("4") == "air"
    assert labels.transport_mode("X") == "X"
    assert labels.transport_mode(None) == "not stated"


def test_procedures_read_as_words_with_their_code() -> None:
    assert labels.procedure("4000") == "release for free circulation and home use (4000)"
    assert labels.procedure("4071") == (
        "release for free circulation and home use from a customs warehouse (4071)"
    )
    assert labels.procedure("40") == "release for free circulation and home use (40)"
    assert labels.procedure("9999") == "9999"
