"""Shared statistics: no domestic trader crosses, k-anonymity withholds small keys, the noise
is Laplace at the budget's scale, and a partner's statistics become features without leaks."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from borderlink.errors import InvalidInput
from borderlink.risk.shared_stats import (
    SHARED_KEYS,
    SharingPolicy,
    add_features,
    compute,
    feature_names,
)


def rows(
    n: int, *, exporter: str = "EXP-1", importers: int = 10, illicit_every: int = 4
) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "declaration_id": [f"D{i}" for i in range(n)],
            "declared_on": ["2026-01-01"] * n,
            "hs_code": ["851762"] * n,
            "origin_country": ["CN"] * n,
            "departure_country": ["HK"] * n,
            "exporter_id": [exporter] * n,
            "importer_id": [f"IMP-{i % importers}" for i in range(n)],
            "declarant_id": ["DEC-1"] * n,
            "office_id": ["OF1"] * n,
            "value": [100.0] * n,
            "net_mass_kg": [10.0] * n,
            "illicit": [i % illicit_every == 0 for i in range(n)],
        }
    )


def test_nothing_domestic_is_published() -> None:
    assert not {c for keys in SHARED_KEYS.values() for c in keys} & {
        "importer_id",
        "declarant_id",
        "office_id",
    }
    stats = compute(rows(200), node="A", seed=1)
    for table in (*stats.rates.values(), *stats.references.values()):
        assert not {"importer_id", "declarant_id", "office_id"} & set(table.columns)


def test_a_key_behind_fewer_than_k_importers_is_withheld() -> None:
    few = rows(200, exporter="EXP-FEW", importers=3)
    many = rows(200, exporter="EXP-MANY", importers=50).with_columns(pl.col("importer_id") + "m")
    stats = compute(pl.concat([few, many]), node="A", policy=SharingPolicy(k=5), seed=1)
    assert stats.rates["exporter"]["exporter_id"].to_list() == ["EXP-MANY"]
    assert stats.suppressed["rate:exporter"] == 1


def test_the_noise_is_laplace_at_the_budget_s_scale() -> None:
    policy = SharingPolicy(k=1, epsilon=0.5, keys=("hs6",), references=())
    draws = np.array(
        [
            compute(rows(400), node="A", policy=policy, seed=s).rates["hs6"]["n"][0] - 400
            for s in range(400)
        ]
    )
    scale = policy.families / policy.epsilon  # 2 families / 0.5 = 4
    assert abs(np.median(draws)) < 1.0
    assert np.mean(np.abs(draws)) == pytest.approx(scale, rel=0.15)  # E|Laplace(b)| = b
    same = [
        compute(rows(400), node="A", policy=policy, seed=3).rates["hs6"]["n"][0] for _ in range(2)
    ]
    assert same[0] == same[1]  # a release is reproducible from its seed


def test_partners_statistics_become_features_for_rows_they_never_saw() -> None:
    partner = compute(
        rows(400, illicit_every=2), node="A", policy=SharingPolicy(epsilon=50.0), seed=1
    )
    mine = rows(5).with_columns(pl.lit("EXP-UNSEEN").alias("exporter_id"))
    out = add_features(mine, [partner])
    assert out.height == 5
    assert set(feature_names([partner])) <= set(out.columns)
    # The partner knows HS 851762 from CN at about 50% illicit; the exporter it never saw: prior.
    assert out["shared_te_hs6"][0] == pytest.approx(0.5, abs=0.05)
    assert out["shared_n_exporter"][0] == 0.0
    assert out["shared_te_exporter"][0] == pytest.approx(out["shared_te_hs6"][0], abs=0.05)
    assert out["shared_uv_z_hs6"][0] == pytest.approx(0.0, abs=0.5)  # the usual unit value


def test_the_policy_refuses_what_may_not_be_shared() -> None:
    with pytest.raises(InvalidInput) as caught:
        SharingPolicy(keys=("importer",))
    assert caught.value.field == "keys"
    with pytest.raises(InvalidInput):
        SharingPolicy(epsilon=0)
