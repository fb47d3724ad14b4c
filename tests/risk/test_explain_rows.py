"""The one-row reasons say what the flow path's say, word for word and as the same messages,
and keep the same ones.

Generated declarations (tests/risk/test_single.py's: unseen keys, missing, zero and negative
values, unknown origins), every reason family on every row, both for the sentence and for the
way its fact leans; then the reasons kept for each flagged row.
"""

from __future__ import annotations

import polars as pl
import pytest

from borderlink import risk
from borderlink.risk import explain, explain_rows, reasons, wording
from borderlink.risk.model import contributions
from borderlink.risk.single import score_rows
from tests.risk.test_single import _flow


@pytest.mark.parametrize("seed", [21, 25])
def test_every_sentence_and_lean_equals_the_flow_path(
    small_model: risk.RiskModel, seed: int
) -> None:
    scored, _ = score_rows(small_model, _flow(seed).to_dicts())
    rows = [s.row for s in scored]
    frame = pl.DataFrame(rows, infer_schema_length=None)
    families, _ = explain.family_matrix(small_model.features)
    state = small_model.state
    columns = frame.select(
        *(wording.sentence(frame, f, state) for f in families),
        *(explain.lean(frame, f, state).alias(f"lean:{f}") for f in families),
        *(wording.message(frame, f, state).alias(f"message:{f}") for f in families),
    )
    compared = 0
    for family in families:
        texts, leans = columns[family].to_list(), columns[f"lean:{family}"].to_list()
        said = columns[f"message:{family}"].to_list()
        for row, text, leaning, message in zip(rows, texts, leans, said, strict=True):
            expected = {"text": text, **wording.stored(message)}
            assert explain_rows.said(row, family, state) == expected, (family, row)
            assert explain_rows.lean(row, family, state) == leaning, (family, row)
            compared += 1
    assert compared >= 600 * 20
    kinds = {f.split(":")[0] for f in families}
    assert {"unit_value", "rarity", "entity", "category", "duty"} <= kinds


def test_the_reasons_kept_equal_the_flow_path(small_model: risk.RiskModel) -> None:
    scored, _ = score_rows(small_model, _flow(26).to_dicts())
    rows = [s.row for s in scored]
    frame = pl.DataFrame(rows, infer_schema_length=None)
    grouped = explain.group_contributions(contributions(small_model, frame), small_model.features)
    mine = explain.group_contributions(
        explain_rows.contributions(small_model, rows), small_model.features
    )
    assert mine == pytest.approx(grouped, rel=1e-9, abs=1e-12)
    args = (small_model.features, small_model.state)
    expected = reasons.top_reasons(frame, grouped, *args)
    got = explain_rows.top_reasons(rows, grouped, *args)
    assert got == expected
    assert sum(len(r) for r in got) > len(rows)  # reasons were given, both ways


def test_a_flagged_declaration_gets_its_reasons_without_frames(
    small_model: risk.RiskModel,
) -> None:
    scored, decls = score_rows(small_model, _flow(27).to_dicts()[:5])
    rows = [scored[d.item].row for d in decls]
    flagged = [(["p1"], "profile", d.risk) for d in decls]
    profiles = risk.compile_profiles(
        [
            risk.Profile(
                name="p1", expression="value > 0", weight=0.3, reason="declared value above zero"
            )
        ]
    )
    out = explain_rows.declaration_reasons(small_model, rows, flagged, profiles)
    assert len(out) == len(decls)
    for listed in out:
        assert listed[0] == {
            "source": "profile",
            "profile": "p1",
            "text": "declared value above zero",
        }
        model = [r for r in listed if r["source"] == "model"]
        assert model
        assert all(r["text"] and r["method"] == "shap" for r in model)
        assert all((r["effect"] == "raises") == (r["contribution"] > 0) for r in model)
