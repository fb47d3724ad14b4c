"""Over a scored sample: every reason's sign and wording agree, and the officer's text names no
internal feature."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import polars as pl

from borderlink import risk
from tests.risk import synthetic

INTERNAL = re.compile(
    r"\b(?:te|n|uv|ref|cat|log)_\w+|entity:|category:|unit_value|\bhs6\b|_x_|\bnan\b|\bNone\b"
)
BELOW = re.compile(r"is (\d+)% below the usual")
ABOVE = re.compile(r"is (\d+)% above the usual")
RECORD = re.compile(
    r"found illicit in \d+ of \d+ past inspected declarations \((\d+)%; usual (\d+)%\)"
)


def _wording_points(text: str) -> str | None:
    """Which way the sentence itself points (None: a fact that points neither way)."""
    if "no illicit finding" in text or "the same as the usual" in text:
        return "lowers"
    if m := BELOW.search(text):
        pct = int(m.group(1))
        return "raises" if pct > 30 else "lowers" if pct <= 20 else None
    if m := ABOVE.search(text):
        return "lowers" if int(m.group(1)) <= 25 else None
    if m := RECORD.search(text):
        rate, usual = int(m.group(1)), int(m.group(2))
        return "raises" if rate > usual else "lowers" if rate < usual else None
    if "zero or negative" in text and "no value per kg" not in text:
        return "raises"
    return None


def _reasons(small_model: risk.RiskModel) -> list[tuple[dict[str, Any], list[dict[str, Any]]]]:
    flow = synthetic.declarations(1_500, seed=21, start=dt.date(2021, 1, 4), days=1)
    policy = risk.CapacityPolicy(red_share=0.1, yellow_share=0.2, random_share=0.2)
    out = risk.score_flow(small_model, flow, policy=policy, seed=4)
    flagged = out.filter(pl.col("channel") != "green")
    return [(row, json.loads(row["reasons"])) for row in flagged.iter_rows(named=True)]


def test_sign_and_wording_agree_for_every_reason(small_model: risk.RiskModel) -> None:
    scored = _reasons(small_model)
    seen = {"raises": 0, "lowers": 0}
    for row, reasons in scored:
        for r in reasons:
            assert not INTERNAL.search(r["text"]), r
            if r["source"] != "model" or "effect" not in r:
                continue
            assert not INTERNAL.search(r["label"]), r
            assert (r["contribution"] > 0) == (r["effect"] == "raises"), r
            points = _wording_points(r["text"])
            assert points in (None, r["effect"]), (row["declaration_id"], r)
            seen[r["effect"]] += 1
        if row["selection"] == "random":
            assert reasons[0]["source"] == "random"
            assert f"{row['risk']:.2f}" in reasons[0]["text"]
        if row["selection"] == "risk":  # what selected it is said first
            assert reasons[0]["source"] in ("profile", "model")
            assert reasons[0].get("effect", "raises") == "raises"
    assert seen["raises"] > 0  # both kinds were produced
    assert seen["lowers"] > 0
