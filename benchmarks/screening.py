"""Screening throughput: parties per second against a large watchlist, candidates per party,
peak memory, and whether planted listed parties are found.

The list is the OFAC SDN file topped up with synthetic entries to ``--entries`` (persons and
companies whose words are drawn, skewed towards the first, from a pool of made-up words, so common
words are
common as in real lists). Parties are synthetic names from the same pools, and one in
``--plant`` is a listed name with a typo, another order or another legal form, which should be
hit. The index is built once (``build_index``), then ``--workers`` processes (forked, sharing
it) screen their share of the parties with ``borderlink.screening.screen``.

    python benchmarks/screening.py --parties 1000000 --entries 100000 --workers 2
    python benchmarks/screening.py --parties 200000 --entries 100000 --store
"""

from __future__ import annotations

import argparse
import csv
import itertools
import json
import multiprocessing as mp
import random
import resource
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from borderlink.screening import Entry, Index, Party, build_index, candidates, normalise, screen
from borderlink.screening.readers import read_ofac_csv

DEFAULT_LIST = (
    Path(__file__).resolve().parents[2] / "shared/data/watchlists/ofac-sdn-2024-05-03.csv"
)
SYLLABLES = [
    a + b for a in "bcdfghjklmnprstvz" for b in ("a", "e", "i", "o", "u", "ar", "en", "ol")
]
FORMS = ("LTD", "LLC", "GMBH", "S.A.", "CO., LTD.", "INC.", "OOO", "JSC", "TRADING", "")
SAMPLE = 50  # one party in SAMPLE has its candidates counted
INDEX: Index | None = None  # set before the workers fork; each reads it, none writes it


def word_pool(rng: random.Random, size: int) -> list[str]:
    return [
        "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))).upper()
        for _ in range(size)
    ]


def draw(rng: random.Random, pool: list[str]) -> str:
    return pool[int(len(pool) * rng.random() ** 2)]  # skewed: low ranks are common words


def synthetic_name(rng: random.Random, pool: list[str], person: bool) -> str:
    if person:
        return f"{draw(rng, pool)}, {draw(rng, pool)} {draw(rng, pool)}"
    words = " ".join(draw(rng, pool) for _ in range(rng.randint(1, 3)))
    return f"{words} {rng.choice(FORMS)}".strip()


def variant(rng: random.Random, name: str) -> str:
    kind = rng.choice(("typo", "order", "form"))
    if kind == "typo" and len(name) > 5:
        i = rng.randrange(2, len(name) - 1)
        return name[:i] + name[i + 1 :]
    if kind == "order" and "," in name:
        surname, _, given = name.partition(",")
        return f"{given.strip()} {surname.strip()}"
    return f"{' '.join(normalise(name).core).upper()} {rng.choice(FORMS)}".strip()


def make_entries(path: Path, total: int, pool: list[str], rng: random.Random) -> list[Entry]:
    with path.open(encoding="utf-8", newline="") as stream:
        entries = [e for e in read_ofac_csv(stream) if isinstance(e, Entry)][:total]
    while len(entries) < total:
        person = rng.random() < 0.5
        entries.append(
            Entry(
                "SYN",
                f"S{len(entries)}",
                (synthetic_name(rng, pool, person),),
                "Person" if person else "Organization",
            )
        )
    return entries


def make_parties(
    start: int, stop: int, entries: list[Entry], pool: list[str], plant: int, seed: int
) -> Iterator[tuple[Party, str | None]]:
    """Parties ``start`` to ``stop``, one at a time (each from its own seed, so a share is made
    without making the ones before it, and nothing is held)."""
    for i in range(start, stop):
        rng = random.Random(seed * 1_000_003 + i)
        if i % plant == 0:
            target = entries[rng.randrange(len(entries))]
            while target.schema not in ("Person", "Organization"):
                target = entries[rng.randrange(len(entries))]
            yield Party(f"P{i}", variant(rng, target.names[0])), target.entry_id
        else:
            yield Party(f"P{i}", synthetic_name(rng, pool, rng.random() < 0.3)), None


def work(args: tuple[int, int, int, int, int]) -> dict[str, int]:
    """Screen the parties of one share (regenerated in the worker, not sent over a pipe)."""
    start, stop, plant, seed, _ = args
    assert INDEX is not None
    pool = word_pool(random.Random(seed), 20_000)
    parties = make_parties(start, stop, list(INDEX.entries), pool, plant, seed + 1)
    counts = {
        "parties": 0,
        "sampled": 0,
        "candidates": 0,
        "hits": 0,
        "planted": 0,
        "planted_found": 0,
        "clean_hit": 0,
    }
    t, cpu = time.perf_counter(), time.process_time()
    for i, party, target in ((i, p, t) for i, (p, t) in enumerate(parties)):
        if i % SAMPLE == 0:  # blocking counted on a sample: it would double the work
            counts["sampled"] += 1
            counts["candidates"] += len(candidates(INDEX, normalise(party.name or "")))
        found = screen(INDEX, party)
        counts["parties"] += 1
        counts["hits"] += len(found)
        if target is not None:
            counts["planted"] += 1
            counts["planted_found"] += any(h.entry_id == target for h in found)
        elif found:
            counts["clean_hit"] += 1
    counts["seconds_ms"] = int((time.perf_counter() - t) * 1000)
    counts["cpu_ms"] = int((time.process_time() - cpu) * 1000)
    return counts


def through_store(args: argparse.Namespace, entries: list[Entry], pool: list[str]) -> None:
    """The service path (``borderlink screening run``): parties stored in a SQLite node, the
    list loaded through ``watchlists load``, then ``screen_parties`` reads, screens and writes
    a chunk at a time in one process; peak RSS says whether memory stays bounded."""
    from sqlalchemy import insert

    from borderlink.services import open_node
    from borderlink.services.accounts.access import Principal
    from borderlink.services.screening import run, watchlists
    from borderlink.settings import Settings
    from borderlink.store.tables import parties

    folder = Path(tempfile.mkdtemp(prefix="bench-screening-"))
    node = open_node(
        Settings(environment="test", db=f"sqlite:///{folder / 'node.db'}"), migrate=True
    )
    actor = Principal.system("benchmark")
    listed = folder / "list.csv"
    with listed.open("w", encoding="utf-8", newline="") as stream:
        out = csv.writer(stream)
        out.writerow(["id", "name", "schema"])
        out.writerows((e.entry_id, e.names[0], e.schema or "") for e in entries)
    t = time.perf_counter()
    mapping = {"id": "id", "name": "name", "schema": "schema"}
    watchlists.load_watchlist(node, actor, listed, "csv", "BENCH", mapping=mapping)
    load_seconds = time.perf_counter() - t
    made = make_parties(0, args.parties, entries, pool, args.plant, args.seed + 1)
    while chunk := [
        {"party_id": p.party_id, "name": p.name} for p, _ in itertools.islice(made, 20_000)
    ]:
        with node.transaction() as conn:
            conn.execute(insert(parties), chunk)
    base_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t, cpu = time.perf_counter(), time.process_time()
    summary = run.screen_parties(node, actor)
    seconds, cpu_seconds = time.perf_counter() - t, time.process_time() - cpu
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    shutil.rmtree(folder)
    print(json.dumps({
        "benchmark": "screening.store",
        "entries": len(entries),
        "parties": summary.parties,
        "hits": summary.hits,
        "list_load_seconds": round(load_seconds, 2),
        "screen_seconds": round(seconds, 2),
        "parties_per_second": round(summary.parties / seconds),
        "cpu_microseconds_per_party": round(cpu_seconds * 1e6 / max(summary.parties, 1), 1),
        "chunk": run.CHUNK,
        "peak_rss_mb_before_run": round(base_rss / 1024, 1),
        "peak_rss_mb": round(rss / 1024, 1),
        "note": "one process, SQLite; reads, screens and writes the hits a chunk at a time",
    }))  # fmt: skip


def main() -> None:
    global INDEX  # the index is shared with the forked workers, read-only
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parties", type=int, default=100_000)
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--plant", type=int, default=100, help="one party in N is a listed name")
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--list", type=Path, default=DEFAULT_LIST)
    parser.add_argument(
        "--store", action="store_true", help="through the node (screening run), one process"
    )
    args = parser.parse_args()
    rng = random.Random(args.seed)
    pool = word_pool(random.Random(args.seed), 20_000)
    entries = make_entries(args.list, args.entries, pool, rng)
    if args.store:
        through_store(args, entries, pool)
        return
    t = time.perf_counter()
    INDEX = build_index(entries)
    index_seconds = time.perf_counter() - t
    step = -(-args.parties // args.workers)
    shares = [
        (i, min(i + step, args.parties), args.plant, args.seed, 0)
        for i in range(0, args.parties, step)
    ]
    t = time.perf_counter()
    with mp.get_context("fork").Pool(args.workers) as workers:
        results = workers.map(work, shares)
    seconds = time.perf_counter() - t
    total = {k: sum(r[k] for r in results) for k in results[0]}
    rss = max(
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
    )
    print(json.dumps({
        "benchmark": "screening",
        "entries": len(entries),
        "names_indexed": len(INDEX.names),
        "parties": total["parties"],
        "workers": args.workers,
        "index_seconds": round(index_seconds, 2),
        "screen_seconds": round(seconds, 2),
        "parties_per_second": round(total["parties"] / seconds),
        # CPU time of the workers: on a shared machine the wall clock counts others' turns too
        "cpu_microseconds_per_party": round(total["cpu_ms"] * 1000 / total["parties"], 1),
        "candidates_per_party": round(total["candidates"] / max(total["sampled"], 1), 1),
        # each candidate pair gets the one-call prefilter, those close enough the full scorer
        "pairs_per_second": round(
            total["candidates"] / max(total["sampled"], 1) * total["parties"] / seconds
        ),
        "projected_seconds_1m_parties_2_cores": round(
            total["cpu_ms"] / 1000 / total["parties"] * 1_000_000 / 2
        ),
        "hits": total["hits"],
        "planted_recall": round(total["planted_found"] / max(total["planted"], 1), 4),
        "clean_parties_with_a_hit": round(
            total["clean_hit"] / max(total["parties"] - total["planted"], 1), 5
        ),
        "peak_rss_mb": round(rss / 1024, 1),
        "note": "parties generated inside each worker (not timed separately; included)",
    }))  # fmt: skip


if __name__ == "__main__":
    main()
