from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from pydantic import ValidationError

from borderlink.errors import ExpressionError
from borderlink.risk.profiles import Profile, active, apply_profiles, compile_profiles

DAY = dt.date(2021, 3, 10)


def profile(name: str = "p", **kwargs: object) -> Profile:
    fields: dict[str, object] = {
        "name": name,
        "expression": 'origin == "CN"',
        "weight": 0.5,
        "reason": "test",
    }
    fields.update(kwargs)
    return Profile(**fields)


@pytest.mark.parametrize(
    ("valid_from", "valid_to", "enabled", "fires"),
    [
        (None, None, True, True),
        (DAY, DAY, True, True),  # both ends inclusive
        (DAY + dt.timedelta(days=1), None, True, False),  # not yet valid
        (None, DAY - dt.timedelta(days=1), True, False),  # expired
        (None, None, False, False),  # disabled
    ],
)
def test_validity_window_and_enabled(
    valid_from: dt.date | None, valid_to: dt.date | None, enabled: bool, fires: bool
) -> None:
    p = profile(valid_from=valid_from, valid_to=valid_to, enabled=enabled)
    assert (active([p], DAY) == [p]) is fires


def test_bad_profiles_are_refused() -> None:
    with pytest.raises(ExpressionError, match="position 10"):
        profile(expression="origin == ")
    with pytest.raises(ValidationError, match="valid_to"):
        profile(valid_from=DAY, valid_to=DAY - dt.timedelta(days=1))
    with pytest.raises(ValidationError, match="weight"):
        profile(weight=0.0)


def test_apply_profiles_hits_weights_and_forced_channels() -> None:
    frame = pl.DataFrame({"origin_country": ["CN", "DE", "VN"], "hs2": ["85", "85", "62"]})
    compiled = compile_profiles(
        [
            profile("cn", weight=0.5),
            profile("electronics", expression='hs.chapter == "85"', weight=0.5),
            profile("vn-red", expression='origin == "VN"', weight=0.0, channel="red"),
            profile("de-yellow", expression='origin == "DE"', weight=0.1, channel="yellow"),
        ]
    )
    out = apply_profiles(frame, compiled)
    assert out["profile_hits"].to_list() == [  # listed by name, not in the order given
        ["cn", "electronics"],
        ["de-yellow", "electronics"],
        ["vn-red"],
    ]
    assert out["profile_weight"].to_list() == pytest.approx([0.75, 0.55, 0.0])
    assert out["forced_channel"].to_list() == [None, "yellow", "red"]


def test_no_profiles_means_no_hits() -> None:
    out = apply_profiles(pl.DataFrame({"origin_country": ["CN"]}), [])
    assert out["profile_hits"].to_list() == [[]]
    assert out["forced_channel"].to_list() == [None]
