"""Entity resolution over trader records: the linking input, Splink finding planted duplicates
(spelling variants, another legal form, the same EORI) and not joining distinct traders, and
clustering that joins confirmed pairs and never joins a pair judged different."""

from __future__ import annotations

import random

import polars as pl

from borderlink.screening import linking

SYLLABLES = [a + b for a in "bdfgklmnprstvz" for b in ("a", "e", "i", "o", "u", "an", "or")]
FORMS = ("LTD", "CO., LTD.", "LLC", "GMBH", "S.A. DE C.V.", "TRADING", "")


def word(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))).upper()


def typo(rng: random.Random, words: list[str]) -> list[str]:
    """One letter dropped, doubled or swapped in one word."""
    i = rng.randrange(len(words))
    w, at = words[i], rng.randrange(1, len(words[i]) - 1)
    kind = rng.choice(("drop", "double", "swap"))
    if kind == "drop":
        w = w[:at] + w[at + 1 :]
    elif kind == "double":
        w = w[:at] + w[at] + w[at:]
    else:
        w = w[: at - 1] + w[at] + w[at - 1] + w[at + 1 :]
    return [*words[:i], w, *words[i + 1 :]]


def synthetic(n: int, every: int, seed: int = 3) -> tuple[pl.DataFrame, set[linking.Pair]]:
    """``n`` distinct traders and, for one in ``every``, a second record of the same trader
    (a partner's) with a typo and another legal form; the planted pairs are the truth."""
    rng = random.Random(seed)
    rows, truth = [], set()
    for i in range(n):
        words = [word(rng) for _ in range(rng.randint(2, 3))]
        base = {
            "record_key": f"party:T{i}",
            "name": f"{' '.join(words)} {rng.choice(FORMS)}",
            "country": rng.choice(("CN", "KR", "DE", "MX")),
            "identifier": f"eori:CN{i:010d}" if rng.random() < 0.3 else None,
            "address": f"{rng.randint(1, 300)} {word(rng).lower()} road",
            "postcode": f"{rng.randint(10000, 99999)}",
        }
        rows.append(base)
        if i % every == 0:
            other = f"partner:X:{i}"
            name = f"{' '.join(typo(rng, words))} {rng.choice(FORMS)}"
            rows.append(base | {"record_key": other, "name": name, "identifier": None})
            truth.add(linking.pair(f"party:T{i}", other))
    return pl.DataFrame(rows), truth


def test_the_linking_input_normalises_names_and_drops_the_unlinkable() -> None:
    raw = pl.DataFrame(
        {
            "record_key": ["a", "b", "c"],
            "name": [
                "Shenzhen Tiger Trading Co., Ltd.",
                "",
                "\u041e\u041e\u041e \u0420\u043e\u043c\u0430\u0448\u043a\u0430",  # OOO Romashka
            ],
            "country": ["cn", None, "RU"],
        }
    )
    out = linking.trader_records(raw)
    assert out["unique_id"].to_list() == ["a", "c"]  # b has neither name nor identifier
    first = out.row(0, named=True)
    assert first["name"] == "shenzhen tiger trading"
    assert (first["name_key"], first["country"]) == ("shen", "CN")
    assert first["name_keys"] == ["<shen", "<trad", ">ding", ">zhen"]
    assert out.row(1, named=True)["name"] == "romashka"  # Cyrillic transliterated


def test_splink_finds_the_planted_duplicates_and_few_others() -> None:
    raw, truth = synthetic(400, 8)
    records = linking.trader_records(raw)
    pairs, trained = linking.predict(records)
    assert "u: random sampling" in trained.steps
    strong = pairs.filter(pl.col("probability") >= linking.THRESHOLD)
    found = set(strong.select("left", "right").iter_rows())
    assert all(a < b for a, b in found)
    recall = len(found & truth) / len(truth)
    precision = len(found & truth) / max(len(found), 1)
    assert recall >= 0.8, (recall, len(found))
    assert precision >= 0.8, (precision, len(found))
    groups = linking.clusters(records["unique_id"].to_list(), pairs)
    assert groups.height == records.height


def test_clusters_join_confirmed_pairs_and_keep_judged_different_apart() -> None:
    pairs = pl.DataFrame(
        {
            "left": ["a", "b", "c", "x"],
            "right": ["b", "c", "d", "y"],
            "probability": [0.99, 0.98, 0.95, 0.4],
        }
    )
    keys = ["a", "b", "c", "d", "x", "y", "z"]
    plain = dict(linking.clusters(keys, pairs).iter_rows())
    assert {plain[k] for k in "abcd"} == {"a"}
    assert len({plain["x"], plain["y"], plain["z"]}) == 3
    judged = dict(
        linking.clusters(keys, pairs, same=[("z", "x")], different=[("a", "d")]).iter_rows()
    )
    assert judged["a"] == judged["b"] == judged["c"]  # the strongest links join first
    assert judged["d"] == "d"  # joining c-d would put a and d together
    assert judged["x"] == judged["z"] == "x"
    assert judged["y"] == "y"


def test_enough_confirmed_pairs_train_the_model() -> None:
    raw, truth = synthetic(600, 5)
    records = linking.trader_records(raw)
    confirmed = sorted(truth)[: linking.MIN_LABELS + 5]
    pairs, trained = linking.predict(records, confirmed)
    assert f"m: {len(confirmed)} pairs analysts confirmed" in trained.steps
    found = set(
        pairs.filter(pl.col("probability") >= linking.THRESHOLD).select("left", "right").iter_rows()
    )
    assert len(found & truth) / len(truth) >= 0.8
    _, few = linking.predict(records, confirmed[:3])
    assert any("3, fewer than" in s for s in few.skipped)
