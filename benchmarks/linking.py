"""Entity resolution: Splink (DuckDB) over synthetic trader records with planted duplicates;
precision, recall, seconds per step, peak memory.

Traders get two or three made-up words (drawn skewed, so some words are common, as "trading"
or a city is), a legal form, a country, an address and a postcode, and three in ten an EORI.
One in ``--every`` has a second record, as a partner would send it: a typo in a word, another
legal form, no identifier, and one time in three another postcode. Precision and recall are
over pairs: a pair is predicted when both records land in one cluster.

    python benchmarks/linking.py --records 1000000 --every 10
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import time
from itertools import combinations

import polars as pl

from borderlink.screening import linking

SYLLABLES = [a + b for a in "bcdfghjklmnprstvz" for b in ("a", "e", "i", "o", "u", "an", "or")]
FORMS = ("LTD", "CO., LTD.", "LLC", "GMBH", "S.A. DE C.V.", "OOO", "INC.", "")
COUNTRIES = ("CN", "KR", "DE", "MX", "TR", "VN", "IN", "US")


def word_pool(rng: random.Random, size: int) -> list[str]:
    return [
        "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))).upper()
        for _ in range(size)
    ]


def typo(rng: random.Random, words: list[str]) -> list[str]:
    i = rng.randrange(len(words))
    w = words[i]
    at = rng.randrange(1, len(w) - 1)
    w = rng.choice(
        (
            w[:at] + w[at + 1 :],
            w[:at] + w[at] + w[at:],
            w[: at - 1] + w[at] + w[at - 1] + w[at + 1 :],
        )
    )
    return [*words[:i], w, *words[i + 1 :]]


def synthetic(records: int, every: int, seed: int) -> tuple[pl.DataFrame, int]:
    """About ``records`` rows; returns them and the number of traders."""
    rng = random.Random(seed)
    pool = word_pool(rng, 50_000)
    out: dict[str, list[str | None]] = {
        k: []
        for k in ("record_key", "name", "country", "identifier", "address", "postcode", "trader")
    }

    def add(
        key: str, name: str, country: str, ident: str | None, address: str, post: str, trader: str
    ) -> None:
        for column, value in zip(
            out, (key, name, country, ident, address, post, trader), strict=True
        ):
            out[column].append(value)

    traders = 0
    while len(out["record_key"]) < records:
        i = traders
        traders += 1
        words = [pool[int(len(pool) * rng.random() ** 1.5)] for _ in range(rng.randint(2, 3))]
        country = rng.choice(COUNTRIES)
        address = f"{rng.randint(1, 999)} {rng.choice(pool).lower()} road"
        post = f"{rng.randint(10000, 99999)}"
        ident = f"eori:{country}{i:012d}" if rng.random() < 0.3 else None
        add(
            f"party:T{i}",
            f"{' '.join(words)} {rng.choice(FORMS)}",
            country,
            ident,
            address,
            post,
            str(i),
        )
        if i % every == 0:
            other_post = post if rng.random() < 2 / 3 else f"{rng.randint(10000, 99999)}"
            name = f"{' '.join(typo(rng, words))} {rng.choice(FORMS)}"
            add(f"partner:X:{i}", name, country, None, address, other_post, str(i))
    return pl.DataFrame(out), traders


def pairs_of(groups: pl.DataFrame, key: str) -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    multi = groups.filter(pl.col(key).is_duplicated()).group_by(key).agg(pl.col("record_key"))
    for members in multi["record_key"].to_list():
        if len(members) <= 50:  # a cluster this large is counted as its pairs, up to 1225
            found.update(linking.pair(a, b) for a, b in combinations(sorted(members), 2))
        else:
            found.update(linking.pair(a, b) for a, b in combinations(sorted(members)[:50], 2))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--every", type=int, default=10, help="one trader in N has a duplicate")
    parser.add_argument("--threshold", type=float, default=linking.THRESHOLD)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--memory-limit", default=None, help="DuckDB's, e.g. 4GB (it spills)")
    args = parser.parse_args()
    t = time.perf_counter()
    raw, traders = synthetic(args.records, args.every, args.seed)
    made = time.perf_counter() - t
    t = time.perf_counter()
    records = linking.trader_records(raw.drop("trader"))
    prepared = time.perf_counter() - t
    t = time.perf_counter()
    scored, trained = linking.predict(records, memory_limit=args.memory_limit)
    predicted = time.perf_counter() - t
    t = time.perf_counter()
    groups = linking.clusters(records["unique_id"].to_list(), scored, threshold=args.threshold)
    clustered = time.perf_counter() - t
    truth = pairs_of(raw.select("record_key", "trader"), "trader")
    found = pairs_of(groups, "cluster_id")
    right = len(found & truth)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({
        "benchmark": "linking",
        "records": records.height,
        "traders": traders,
        "planted_pairs": len(truth),
        "scored_links": scored.height,
        "predicted_pairs": len(found),
        "precision": round(right / max(len(found), 1), 4),
        "recall": round(right / max(len(truth), 1), 4),
        "threshold": args.threshold,
        "memory_limit": args.memory_limit,
        "seconds_prepare": round(prepared, 1),
        "seconds_splink": round(predicted, 1),
        "seconds_cluster": round(clustered, 1),
        "seconds_total": round(prepared + predicted + clustered, 1),
        "seconds_generate": round(made, 1),
        "trained": trained.steps,
        "skipped": trained.skipped,
        "peak_rss_mb": round(rss / 1024, 1),
    }))  # fmt: skip


if __name__ == "__main__":
    main()
