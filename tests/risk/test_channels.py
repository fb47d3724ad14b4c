from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from borderlink.risk.channels import CapacityPolicy, assign_channels, quotas


def flow(n: int, seed: int = 0) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    return pl.DataFrame({"declaration_id": [f"d{i}" for i in range(n)], "risk": rng.random(n)})


@pytest.mark.parametrize("n", [0, 1, 19, 20, 99, 1000, 12_345])
def test_quotas_add_up_exactly(n: int) -> None:
    policy = CapacityPolicy(red_share=0.05, yellow_share=0.10, random_share=0.1)
    red, yellow, green = quotas(n, policy)
    assert red + yellow + green == n
    assert (red, yellow) == (n * 5 // 100, n * 10 // 100)  # rounded down without a generator
    out = assign_channels(flow(n), policy, seed=1)
    counts = dict(out["channel"].value_counts().iter_rows())
    assert counts.get("red", 0) + counts.get("yellow", 0) + counts.get("green", 0) == n
    assert n * 5 // 100 <= counts.get("red", 0) <= -(-n * 5 // 100)
    assert n * 10 // 100 <= counts.get("yellow", 0) <= -(-n * 10 // 100)


def test_small_flows_get_their_share_on_average() -> None:
    policy = CapacityPolicy(red_share=0.05, yellow_share=0.10, random_share=0.0)
    rng = np.random.default_rng(5)
    days = [quotas(9, policy, rng) for _ in range(4000)]
    red = sum(d[0] for d in days) / (9 * len(days))
    yellow = sum(d[1] for d in days) / (9 * len(days))
    assert 0.045 < red < 0.055  # floor() would give none at all
    assert 0.09 < yellow < 0.11
    assert all(sum(d) == 9 and d[0] in (0, 1) for d in days)


def test_quotas_never_exceed_the_flow() -> None:
    policy = CapacityPolicy(red_share=0.5, yellow_share=0.5)
    rng = np.random.default_rng(1)
    draws = [quotas(1, policy, rng) for _ in range(400)]
    assert all(sum(d) == 1 and min(d) >= 0 for d in draws)
    assert {d[0] for d in draws} == {0, 1}  # both roundings happen


def test_without_random_share_the_riskiest_go_red_then_yellow() -> None:
    out = assign_channels(flow(1000), CapacityPolicy(0.05, 0.10, 0.0), seed=1)
    ranked = out.sort("risk", descending=True)["channel"].to_list()
    assert ranked == ["red"] * 50 + ["yellow"] * 100 + ["green"] * 850


def test_random_share_is_random_reproducible_and_from_the_rest() -> None:
    policy = CapacityPolicy(0.05, 0.10, 0.2)
    frame = flow(2000)
    first = assign_channels(frame, policy, seed=42)
    again = assign_channels(frame, policy, seed=42)
    other = assign_channels(frame, policy, seed=43)
    assert first.equals(again)
    drawn = first.filter(pl.col("selection") == "random")
    assert drawn.height == round(100 * 0.2) + round(200 * 0.2)
    assert set(drawn["declaration_id"]) != set(
        other.filter(pl.col("selection") == "random")["declaration_id"]
    )
    # red's random rows come from the rest: none above the lowest red row chosen by risk
    red = first.filter(pl.col("channel") == "red")
    lowest_by_risk = red.filter(pl.col("selection") == "risk")["risk"].min()
    assert red.filter(pl.col("selection") == "random")["risk"].max() < lowest_by_risk  # type: ignore[operator]


def test_random_draw_is_uniform_over_the_rest() -> None:
    policy = CapacityPolicy(0.0, 0.10, 1.0)  # the whole yellow capacity drawn at random
    frame = flow(1000)
    counts = np.zeros(1000)
    for seed in range(200):
        out = assign_channels(frame, policy, seed=seed)
        counts += (out["channel"] == "yellow").to_numpy()
    # each row is drawn with probability 0.1: 20 times in 200 draws on average
    assert counts.mean() == pytest.approx(20.0)
    assert counts.min() > 3
    assert counts.max() < 45
    low_half = np.argsort(frame["risk"].to_numpy())[:500]
    assert counts[low_half].sum() / counts.sum() == pytest.approx(0.5, abs=0.03)


def test_profiles_force_channels_first() -> None:
    frame = flow(100).with_columns(
        pl.when(pl.col("declaration_id") == "d7")
        .then(pl.lit("red"))
        .when(pl.col("declaration_id") == "d8")
        .then(pl.lit("yellow"))
        .otherwise(pl.lit(None, dtype=pl.Utf8))
        .alias("forced_channel")
    )
    out = assign_channels(frame, CapacityPolicy(0.05, 0.10, 0.0), seed=1)
    by_id = {r["declaration_id"]: r for r in out.iter_rows(named=True)}
    assert by_id["d7"]["channel"] == "red"
    assert by_id["d7"]["selection"] == "profile"
    assert by_id["d8"]["channel"] == "yellow"
    assert by_id["d8"]["selection"] == "profile"
    assert (out["channel"] == "red").sum() == 5
    assert (out["channel"] == "yellow").sum() == 10


def test_policy_is_checked() -> None:
    with pytest.raises(ValueError, match="exceed"):
        CapacityPolicy(0.6, 0.5)
