"""Name-matching quality and speed on labelled pairs built from a real list (OFAC SDN).

Positives: each entry's primary name against each of its aliases as the list has them
(``alias``), and variants made from the primary name: one typo (``typo``), the words in
another order or the person name as ``Given SURNAME`` (``reorder``), another legal form or
none (``form``), the name written in Cyrillic (``script``). Negatives: each entry's primary
name against the most similar primary name of a *different* entry (``neighbour``: the hardest
negatives the list has; pairs whose names are identical after normalisation are left out, as
no name matcher can tell them apart), and against a random other entry (``random``).

The pairs are split by entry number (even / odd) and F1 is reported on each half as well as on
all, so a change tuned to one half shows as a gap. ``microseconds_per_pair`` is scoring through
``borderlink.screening.pairs.score_pairs`` (what ``borderlink screening compare`` runs),
normalisation included, on one core (wall clock and this process's CPU time).

    python benchmarks/screening_pairs.py --list ../shared/data/watchlists/ofac-sdn-2024-05-03.csv
    python benchmarks/screening_pairs.py --write pairs.csv   # the pairs, for screening compare
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import resource
import time
from collections import Counter
from pathlib import Path

from rapidfuzz import fuzz

from borderlink.screening import Entry, build_index, candidates, normalise
from borderlink.screening.pairs import quality, score_pairs
from borderlink.screening.readers import read_ofac_csv

DEFAULT_LIST = (
    Path(__file__).resolve().parents[2] / "shared/data/watchlists/ofac-sdn-2024-05-03.csv"
)
CYRILLIC = dict(zip("abvgdezijklmnoprstufhcy", "абвгдезийклмнопрстуфхцы", strict=True))
FORMS = ("LTD", "LIMITED", "LLC", "GMBH", "S.A.", "CO., LTD.", "INC.", "OOO", "JSC", "")


def typo(name: str, rng: random.Random) -> str:
    words = name.split()
    long = [i for i, w in enumerate(words) if len(w) >= 4]
    if not long:
        return name
    i = rng.choice(long)
    w = words[i]
    j = rng.randrange(1, len(w) - 1)
    kind = rng.choice(("swap", "drop", "replace", "double"))
    if kind == "swap":
        w = w[: j - 1] + w[j] + w[j - 1] + w[j + 1 :]
    elif kind == "drop":
        w = w[:j] + w[j + 1 :]
    elif kind == "replace":
        w = w[:j] + rng.choice("aeiourstnl") + w[j + 1 :]
    else:
        w = w[:j] + w[j] + w[j:]
    words[i] = w
    return " ".join(words)


def reorder(name: str, schema: str | None) -> str:
    if schema == "Person" and "," in name:
        surname, _, given = name.partition(",")
        return f"{given.strip()} {surname.strip()}"
    words = name.split()
    return " ".join(words[1:] + words[:1]) if len(words) > 1 else name


def other_form(name: str, rng: random.Random) -> str:
    core = normalise(name, "Organization")
    return f"{' '.join(core.core).upper()} {rng.choice(FORMS)}".strip()


def cyrillic(name: str) -> str:
    return "".join(CYRILLIC.get(c, c) for c in name.lower())


def positives(entry: Entry, rng: random.Random) -> list[tuple[str, str, str]]:
    primary = entry.names[0]
    found = [(primary, alias, "alias") for alias in entry.names[1:]]
    found.append((primary, typo(primary, rng), "typo"))
    if len(primary.split()) > 1:
        found.append((primary, reorder(primary, entry.schema), "reorder"))
    if entry.schema == "Organization":
        found.append((primary, other_form(primary, rng), "form"))
    if entry.schema == "Person":
        found.append((primary, cyrillic(reorder(primary, entry.schema)), "script"))
    return [p for p in found if p[0] != p[1]]


def build(entries: list[Entry], seed: int) -> list[dict[str, str]]:
    rng = random.Random(seed)
    index = build_index(entries)
    rows: list[dict[str, str]] = []
    for position, entry in enumerate(entries):
        half = "even" if int(entry.entry_id) % 2 == 0 else "odd"
        base = {"schema": entry.schema or "", "half": half}
        for a, b, source in positives(entry, rng):
            rows.append({**base, "name1": a, "name2": b, "label": "1", "source": source})
        name = normalise(entry.names[0], entry.schema)
        others = [
            p
            for p in candidates(index, name, limit=60)
            if index.owner[p] != position
            and index.names[p].original == index.entries[index.owner[p]].names[0]
            and index.names[p].sorted_text != name.sorted_text
            and index.entries[index.owner[p]].schema == entry.schema
        ]
        if others:
            best = max(
                others, key=lambda p: fuzz.ratio(name.sorted_text, index.names[p].sorted_text)
            )
            rows.append(
                {
                    **base,
                    "name1": entry.names[0],
                    "name2": index.names[best].original,
                    "label": "0",
                    "source": "neighbour",
                }
            )
        other = entries[rng.randrange(len(entries))]
        if other.entry_id != entry.entry_id:
            rows.append(
                {
                    **base,
                    "name1": entry.names[0],
                    "name2": other.names[0],
                    "label": "0",
                    "source": "random",
                }
            )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--list", type=Path, default=DEFAULT_LIST)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--threshold", type=float, default=0.86)
    parser.add_argument("--write", type=Path, help="also write the pairs as CSV")
    args = parser.parse_args()
    with args.list.open(encoding="utf-8", newline="") as stream:
        entries = [e for e in read_ofac_csv(stream) if isinstance(e, Entry)]
    rows = build(entries, args.seed)
    if args.write:
        with args.write.open("w", encoding="utf-8", newline="") as out:
            writer = csv.DictWriter(out, ["name1", "name2", "schema", "label", "source", "half"])
            writer.writeheader()
            writer.writerows(rows)
    start, cpu = time.perf_counter(), time.process_time()
    scored = list(score_pairs(rows, threshold=args.threshold))
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    by_source = {
        source: round(
            sum(
                s.match == s.label
                for r, s in zip(rows, scored, strict=True)
                if r["source"] == source
            )
            / n,
            4,
        )
        for source, n in Counter(r["source"] for r in rows).items()
    }
    halves = {
        half: quality(s for r, s in zip(rows, scored, strict=True) if r["half"] == half).f1
        for half in ("even", "odd")
    }
    overall = quality(scored)
    print(json.dumps({
        "benchmark": "screening_pairs",
        "list": args.list.name,
        "pairs": len(rows),
        "positives": sum(r["label"] == "1" for r in rows),
        "negatives": sum(r["label"] == "0" for r in rows),
        "threshold": args.threshold,
        **{k: v for k, v in overall.public().items() if k in ("precision", "recall", "f1")},
        "f1_even_entries": round(halves["even"], 4),
        "f1_odd_entries": round(halves["odd"], 4),
        "accuracy_by_source": by_source,
        "microseconds_per_pair": round(elapsed / len(rows) * 1e6, 2),
        # CPU time: on a shared machine the wall clock also counts other processes' turns
        "cpu_microseconds_per_pair": round(cpu / len(rows) * 1e6, 2),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }))  # fmt: skip


if __name__ == "__main__":
    main()
