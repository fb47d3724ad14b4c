"""The reasons the engine builds are said in the reader's language: a French page shows a
scored declaration's reasons and its chart in French, numbers as French writes them; a reason
stored before reasons carried a message shows its stored words."""

from __future__ import annotations

import asyncio
import datetime as dt
import re
from html import unescape
from typing import Any

import numpy as np
import polars as pl
from fastapi import FastAPI
from sqlalchemy import insert

from borderlink.risk import explain, reasons
from borderlink.risk.explain_rows import declaration_list
from borderlink.risk.features import FeatureState
from borderlink.server.pages import i18n
from borderlink.services.risk import waiting
from borderlink.store.risk_tables import scores
from tests.surfaces import PASSWORD, Seeded, client

PRIOR = 0.18
FEATURES = [
    "uv_ratio_hs6_x_origin",
    "te_origin",
    "n_origin",
    "te_importer",
    "n_importer",
    "route_transit",
    "log_mass",
]
ENGLISH = re.compile(
    r"declared value per kg|below the usual|past inspected|illicit finding|shipped from|"
    r"selected at random|Record of the|Value per kg against|lowered the risk|net mass"
)


def model_reasons(importer: str) -> list[dict[str, Any]]:
    """Reasons as scoring stores them, for a random red whose value per kg is far below the
    usual and whose origin has a clean record."""
    state = FeatureState(PRIOR, {}, {}, {})
    m = state.config.smoothing
    frame = pl.DataFrame(
        {
            "hs6": ["200560"],
            "origin_country": ["LK"],
            "departure_country": ["SG"],
            "importer_id": [importer],
            "uv_ratio_hs6_x_origin": [0.54],
            "ref_n_hs6_x_origin": [2573.0],
            "n_origin": [50.0],
            "te_origin": [m * PRIOR / (50 + m)],
            "n_importer": [4.0],
            "te_importer": [(2 + m * PRIOR) / (4 + m)],
            "route_transit": [1.0],
            "log_mass": [float(np.log(1234.5))],
        }
    )
    families, _ = explain.family_matrix(FEATURES)
    grouped = np.zeros((1, len(families)))
    for family, value in {
        "unit_value": 1.8,
        "entity:importer": 0.6,
        "route_transit": 0.3,
        "entity:origin": -0.4,
        "log_mass": -0.2,
    }.items():
        grouped[0, families.index(family)] = value
    (why,) = reasons.top_reasons(frame, grouped, FEATURES, state, top=3, lowering=2)
    return declaration_list([], {}, "random", 0.1234, why)


def _store(seeded: Seeded, declaration_id: str, reasons: list[dict[str, Any]]) -> None:
    with seeded.node.engine.begin() as conn:
        conn.execute(
            insert(scores).values(
                declaration_id=declaration_id,
                model_version="rm-test",
                score=0.12,
                risk=0.12,
                channel="red",
                selection="random",
                reasons=reasons,
                scored_at=dt.datetime.now(dt.UTC),
            )
        )
        waiting.refresh(conn, [declaration_id])


def _pages(app: FastAPI, paths: list[str], lang: str = "fr") -> list[str]:
    async def go() -> list[str]:
        async with client(app) as c:
            c.cookies.set(i18n.COOKIE, lang)
            signed = await c.post("/login", data={"username": "officer-1", "password": PASSWORD})
            assert signed.status_code == 303
            return [(await c.get(path)).text for path in paths]

    return asyncio.run(go())


def _visible(html: str) -> str:
    return re.sub(r"[ \t\r\n]+", " ", re.sub(r"<[^>]+>", " ", html))  # keeps U+202F


def test_a_french_page_says_a_scored_declarations_reasons_in_french(
    app: FastAPI, seeded: Seeded
) -> None:
    target = seeded.office_a[0]
    _store(seeded, target, model_reasons("IMP-1"))
    page, queue, order = _pages(
        app,
        [f"/declarations/{target}", "/queue", f"/declarations/{target}/inspection-order"],
    )
    text = _visible(page)
    # the value per kg, the record and the route, in French, numbers the French way
    assert "valeur déclarée par kg" in text
    assert "inférieure de 46\u202f% à la valeur habituelle" in text
    assert "2\u202f573 déclarations antérieures" in text
    assert "importateur IMP-1" in text
    assert "illicite constaté dans 2 des 4 déclarations" in text
    assert "origine LK" in text
    assert "aucune constatation d&#39;illicéité" in text
    assert "expédié depuis SG" in text
    assert "masse nette 1\u202f234,5 kg" in text
    assert "sélectionnée au hasard" in text
    assert "0,12" in text
    # the chart: its labels, its axis, its figures
    chart = unescape(page[page.index('<svg class="chart contributions') :])
    assert "Valeur par kg par rapport à l'habituel" in chart
    assert "Antécédents (importateur)" in chart
    assert "a fait baisser le risque" in chart
    assert "+1,80" in chart
    assert not ENGLISH.search(text), ENGLISH.findall(text)
    assert not ENGLISH.search(unescape(page)), ENGLISH.findall(unescape(page))
    for other in (queue, order):
        assert "inférieure de 46\u202f% à la valeur habituelle" in other
        assert not ENGLISH.search(_visible(other)), ENGLISH.findall(_visible(other))


def test_the_english_page_says_the_same_reasons_in_english(app: FastAPI, seeded: Seeded) -> None:
    target = seeded.office_a[0]
    reasons = model_reasons("IMP-1")
    _store(seeded, target, reasons)
    (page,) = _pages(app, [f"/declarations/{target}"], lang="en")
    assert "declared value per kg is 46% below the usual for 2005.60 from LK" in page
    assert "(2,573 earlier declarations)" in page  # figures grouped as English writes them
    assert "Record of the importer" in page


def test_a_reason_stored_without_a_message_shows_as_stored(app: FastAPI, seeded: Seeded) -> None:
    target = seeded.office_a[0]
    old: list[dict[str, Any]] = [
        {"source": "random", "text": "selected at random: its risk is 0.12"},
        {
            "source": "model",
            "reason": "unit_value",
            "contribution": 1.2,
            "text": "unit value at 8% of the usual for 851762 from CN",
        },
        {
            "source": "model",
            "reason": "rarity",
            "contribution": -0.3,
            "key": "gone.away",
            "params": {"n": 3},
            "text": "a sentence whose key is no longer known",
        },
    ]
    _store(seeded, target, old)
    (page,) = _pages(app, [f"/declarations/{target}"])
    text = _visible(page)
    assert "selected at random: its risk is 0.12" in text
    assert "unit value at 8% of the usual for 851762 from CN" in text
    assert "a sentence whose key is no longer known" in text
    # its chart's label, from its family, is French all the same
    assert "Valeur par kg par rapport à l'habituel" in unescape(page)
