"""Each reason's message says what its English text says: rendered in English from its key and
params, it is the stored text, for every reason of a scored sample."""

from __future__ import annotations

import datetime as dt
import json

import polars as pl

from borderlink import risk
from borderlink.model import messages
from borderlink.risk import explain
from tests.risk import synthetic


def test_every_message_renders_as_its_english_text(small_model: risk.RiskModel) -> None:
    flow = synthetic.declarations(800, seed=22, start=dt.date(2021, 1, 4), days=1)
    policy = risk.CapacityPolicy(red_share=0.1, yellow_share=0.2, random_share=0.2)
    out = risk.score_flow(small_model, flow, policy=policy, seed=5)
    keys: set[str] = set()
    for encoded in out.filter(pl.col("channel") != "green")["reasons"].to_list():
        for r in json.loads(encoded):
            if r["source"] == "profile":
                continue
            assert r["key"] in messages.MESSAGES, r
            assert "null" not in json.dumps(r), r  # a row's unused params are not kept
            said = {k: v for k, v in r.items() if k != "text"}  # no fallback to the stored words
            number = (lambda v: f"{v:.2f}") if r["key"].startswith("selection.") else str
            assert messages.render(said, number=number) == r["text"], r
            keys.add(r["key"])
    assert {"unit_value.pair", "entity.found", "selection.random"} <= keys


def test_one_rows_message_and_its_label(small_model: risk.RiskModel) -> None:
    said = explain.describe_message("category:procedure", {"procedure": "4071"}, small_model.state)
    assert said["key"] == "category"
    assert said["params"]["value"] == {
        "key": "procedure.named_before",
        "params": {
            "asked": {"key": "procedure.40"},
            "before": {"key": "previous.71"},
            "code": "4071",
        },
    }
    french = {
        "procedure": "régime",
        "%(asked)s %(before)s (%(code)s)": "%(asked)s %(before)s (%(code)s)",
    }
    assert messages.render(said, lambda t: french.get(t, t)).startswith("régime release for")
    assert explain.label_message("entity:importer_x_hs6") == {
        "key": "label.entity",
        "params": {
            "who": {
                "key": "label.with",
                "params": {"a": {"key": "role.importer_id"}, "b": {"key": "role.hs6"}},
            }
        },
    }
    assert explain.label("entity:importer_x_hs6") == "Record of the importer with HS"


def test_a_message_that_does_not_fit_shows_its_stored_words() -> None:
    stored = {"text": "as stored", "key": "entity.clean", "params": {"n": 3}}  # "who" is missing
    assert messages.render(stored) == "as stored"
    assert messages.render({"text": "as stored", "key": "no.such.key"}) == "as stored"
    broken = {"%(who)s: no earlier inspected declaration": "%(qui)s : rien"}
    said = {"key": "entity.none", "params": {"who": {"key": "role.trader"}}}
    assert (
        messages.render(said, lambda t: broken.get(t, t))
        == "trader: no earlier inspected declaration"
    )
