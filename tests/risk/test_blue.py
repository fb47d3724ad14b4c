"""The blue channel: what green would release, profiles and the model send to audit later."""

from __future__ import annotations

import json

import polars as pl

from borderlink.risk.blue import apply_blue, apply_blue_rows


def flow() -> pl.DataFrame:
    rows = [  # id, risk, channel, selection, profile hits
        ("d1", 0.9, "red", "risk", []),
        ("d2", 0.5, "green", "none", []),
        ("d3", 0.4, "green", "none", ["valuation-audit"]),
        ("d4", 0.3, "green", "none", []),
        ("d5", 0.8, "yellow", "risk", ["valuation-audit"]),
    ]
    return pl.DataFrame(
        {
            "declaration_id": [r[0] for r in rows],
            "risk": [r[1] for r in rows],
            "channel": [r[2] for r in rows],
            "selection": [r[3] for r in rows],
            "profile_hits": [r[4] for r in rows],
            "reasons": [None for _ in rows],
        },
        schema_overrides={"reasons": pl.String, "profile_hits": pl.List(pl.String)},
    )


def channels(out: pl.DataFrame) -> dict[str, tuple[str, str]]:
    return {
        d: (c, s)
        for d, c, s in zip(out["declaration_id"], out["channel"], out["selection"], strict=True)
    }


def test_profiles_send_blue_only_what_green_would_release() -> None:
    out = channels(apply_blue(flow(), profiles={"valuation-audit"}))
    assert out["d3"] == ("blue", "profile")
    assert out["d5"] == ("yellow", "risk")  # never taken from an inspection


def test_the_model_sends_the_riskiest_of_the_rest_by_share_or_cutoff() -> None:
    by_share = channels(apply_blue(flow(), share=0.2))  # one place in five
    assert [d for d, (c, _) in by_share.items() if c == "blue"] == ["d2"]
    by_cutoff = channels(apply_blue(flow(), cutoff=0.35))
    assert [d for d, (c, _) in by_cutoff.items() if c == "blue"] == ["d2", "d3"]
    out = apply_blue(flow(), cutoff=0.35)
    reason = json.loads(out.filter(pl.col("declaration_id") == "d2")["reasons"][0])[-1]
    assert reason["source"] == "blue"
    assert apply_blue(flow()).equals(flow())  # no profile, no share: nothing blue


def test_the_one_row_path_sends_blue_what_the_frame_path_does() -> None:
    for kwargs in (
        {"profiles": {"valuation-audit"}},
        {"cutoff": 0.35},
        {"share": 0.4},
        {"profiles": {"valuation-audit"}, "cutoff": 0.45},
        {},
    ):
        expected = apply_blue(flow(), **kwargs).to_dicts()
        rows = flow().to_dicts()
        apply_blue_rows(rows, **kwargs)
        assert rows == expected, kwargs
