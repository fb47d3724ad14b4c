"""Entity resolution: the same trader behind several records (declarations' parties, partners'
seizure reports), linked with Splink (DuckDB backend here, its Spark backend the scale-out
path: the settings are the same).

Pure functions from a frame to a frame, nothing stored: :func:`trader_records` makes the linking
input (names normalised as screening does, an identifier when the record has one, country,
address, postcode), :func:`link_settings` says how two records compare and which pairs are
compared at all (blocking), :func:`predict` trains the model on the records (u by random
sampling, m by expectation maximisation, then m again from the pairs analysts confirmed) and
scores the blocked pairs, and :func:`clusters` groups records: links at or above the threshold
and every confirmed pair join, and no cluster ever holds two records an analyst said are
different (cannot-link).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import duckdb
import polars as pl
import splink.comparison_library as cl
from splink import DuckDBAPI, Linker, SettingsCreator, block_on
from splink.internals.exceptions import SplinkException

from borderlink.screening.normalise import normalise

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

THRESHOLD = 0.9  # a link at or above this joins two records' clusters
REVIEW_FROM = 0.5  # links from here to the threshold are worth an analyst's look
MIN_LABELS = 50  # confirmed pairs from which m is learnt from them (fewer would overfit)
MAX_BLOCK = 300  # a name key shared by more records of one country is too common to block on
INPUT = (
    "unique_id",
    "name",
    "name_key",
    "name_keys",
    "identifier",
    "country",
    "address",
    "postcode",
)
Pair = tuple[str, str]


def pair(a: str, b: str) -> Pair:
    """A pair's natural key: the two record keys in order."""
    return (a, b) if a <= b else (b, a)


def _name(raw: str | None) -> tuple[str | None, str | None, list[str]]:
    """The name as compared (sorted words: order carries nothing for a company), its main
    key (the first four letters of its longest word) and its blocking keys: the first and the
    last four letters of its two longest words (a typo rarely hits both ends of a word, nor
    two words; a typo that changes which words are longest still leaves a key in common)."""
    name = normalise(raw or "")
    if not name.core:
        return None, None, []
    longest = sorted(name.core, key=lambda t: (-len(t), t))[:2]
    keys = sorted({k for w in longest for k in (f"<{w[:4]}", f">{w[-4:]}")})
    return " ".join(sorted(name.core)), longest[0][:4], keys


def trader_records(frame: pl.DataFrame, max_block: int = MAX_BLOCK) -> pl.DataFrame:
    """The linking input from ``record_key, name, country[, identifier, address, postcode]``:
    names normalised (any script, legal forms set aside, sorted words), their blocking keys
    (those shared by more than ``max_block`` records of a country dropped), empty strings as
    nulls. Records without a name or identifier cannot be linked and are dropped."""
    rows = frame.to_dicts()
    names = [_name(r.get("name")) for r in rows]

    def text(column: str) -> list[str | None]:
        return [(str(r[column]).strip().upper() or None) if r.get(column) else None for r in rows]

    out = pl.DataFrame(
        {
            "unique_id": [str(r["record_key"]) for r in rows],
            "name": [n for n, _, _ in names],
            "name_key": [k for _, k, _ in names],
            "name_keys": [ks for _, _, ks in names],
            "identifier": text("identifier"),
            "country": text("country"),
            "address": [a.lower() if a else None for a in text("address")],
            "postcode": [p.replace(" ", "") if p else None for p in text("postcode")],
        },
        schema={c: pl.List(pl.String) if c == "name_keys" else pl.String for c in INPUT},
    )
    out = out.filter(pl.col("name").is_not_null() | pl.col("identifier").is_not_null())
    return _rare_keys(out, max_block)


def _rare_keys(records: pl.DataFrame, max_block: int) -> pl.DataFrame:
    """Each record's name keys without those shared by more than ``max_block`` records of its
    country ("trading", "shenzhen"): a block that large would compare all of them pairwise.
    A record whose keys are all common is still compared on its identifier and postcode."""
    counts = (
        records.select("unique_id", "country", "name_keys")
        .explode("name_keys")
        .group_by("country", "name_keys")
        .len()
        .filter(pl.col("len") > max_block)
    )
    if counts.is_empty():
        return records
    common = {(c, k) for c, k, _ in counts.iter_rows()}
    kept = [
        [k for k in keys if (country, k) not in common]
        for country, keys in records.select("country", "name_keys").iter_rows()
    ]
    return records.with_columns(pl.Series("name_keys", kept, dtype=pl.List(pl.String)))


def link_settings(prior: float = 1e-4) -> SettingsCreator:
    """How two trader records compare. An identifier (EORI, TIN) agreeing is near decisive,
    disagreeing strong evidence against; names by Jaro-Winkler over the normalised words;
    address and postcode support. Pairs compared (each a blocking rule, so never every
    pair): same identifier, or same country and one of the name's keys, or same postcode and
    main name key."""
    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="unique_id",
        probability_two_random_records_match=prior,
        comparisons=[
            cl.ExactMatch("identifier"),
            cl.JaroWinklerAtThresholds("name", [0.97, 0.92, 0.85]),
            cl.ExactMatch("country"),
            cl.JaroWinklerAtThresholds("address", [0.92, 0.8]),
            cl.ExactMatch("postcode"),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("identifier"),
            block_on("name_keys", "country", arrays_to_explode=["name_keys"]),
            block_on("name_key", "postcode"),
        ],
        retain_intermediate_calculation_columns=False,
        retain_matching_columns=False,
    )


@dataclass
class Trained:
    """What the model learnt from, in words (kept with the run)."""

    steps: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def _train(linker: Linker, db: Any, confirmed: list[Pair], records: int, trained: Trained) -> None:
    linker.training.estimate_u_using_random_sampling(max_pairs=min(5e6, max(1e4, records * 20)))
    trained.steps.append("u: random sampling")
    # Each EM session fixes what it blocks on and learns the rest: the same name teaches the
    # identifier, address and postcode levels; the same identifier, or postcode, the names.
    for columns in (("name",), ("identifier",), ("postcode", "name_key")):
        try:
            linker.training.estimate_parameters_using_expectation_maximisation(block_on(*columns))
            trained.steps.append(f"m: expectation maximisation, pairs of equal {'+'.join(columns)}")
        except (SplinkException, ValueError) as error:  # too few pairs to learn from
            trained.skipped.append(f"expectation maximisation: {str(error).splitlines()[0][:200]}")
    if 0 < len(confirmed) < MIN_LABELS:
        trained.skipped.append(
            f"m from confirmed pairs: {len(confirmed)}, fewer than {MIN_LABELS}"
            " (they still join their records)"
        )
    elif confirmed:
        labels = db.register(
            _table(
                db,
                pl.DataFrame(
                    {
                        "unique_id_l": [a for a, _ in confirmed],
                        "unique_id_r": [b for _, b in confirmed],
                    }
                ),
            )
        )
        linker.training.estimate_m_from_pairwise_labels(labels)  # type: ignore[no-untyped-call]
        trained.steps.append(f"m: {len(confirmed)} pairs analysts confirmed")


def _backend(spark: SparkSession | None, memory_limit: str | None) -> Any:
    """Splink's database: DuckDB in memory here, or Spark on ``spark``'s session."""
    if spark is None:
        config: dict[str, str | bool | int | float | list[str]] = {}
        if memory_limit:
            config["memory_limit"] = memory_limit
        return DuckDBAPI(duckdb.connect(":memory:", config=config))
    from splink import SparkAPI

    # Splink breaks long lineages by checkpointing to Parquet, which needs the session's
    # checkpoint folder (a cluster sets one); without it, persisting in memory.
    context: Any = spark.sparkContext
    has_dir = not context._jsc.sc().getCheckpointDir().isEmpty()
    lineage = None if has_dir else "persist"
    return SparkAPI(spark_session=spark, break_lineage_method=lineage)  # type: ignore[no-untyped-call]


def predict(
    records: pl.DataFrame,
    confirmed: Iterable[Pair] = (),
    *,
    review_from: float = REVIEW_FROM,
    prior: float | None = None,
    memory_limit: str | None = None,
    spark: SparkSession | None = None,
) -> tuple[pl.DataFrame, Trained]:
    """The scored pairs (``left, right, probability``, left < right) at or above
    ``review_from``, and how the model was trained. ``prior``: the chance that two records
    are the same trader (default: about one duplicate per ten records, over all pairs).
    ``memory_limit`` (DuckDB's, e.g. ``"4GB"``): past it DuckDB spills to disk; by default it
    takes up to 80% of the machine's memory. ``spark``: a session (with Splink's similarity
    jar, see :func:`spark_jars`) to compare and score the pairs on Spark instead of DuckDB:
    the same settings, training and threshold, for record counts one machine cannot hold."""
    empty = pl.DataFrame(schema={"left": pl.String, "right": pl.String, "probability": pl.Float64})
    trained = Trained()
    if records.height < 2:
        return empty, trained
    known = set(records["unique_id"].to_list())
    labels = [p for p in (pair(*c) for c in confirmed) if p[0] in known and p[1] in known]
    chance = prior if prior is not None else min(0.5, 0.1 * 2 / max(records.height - 1, 1))
    db = _backend(spark, memory_limit)
    # Splink's progress and its notes on defaults are not ours to print: errors only.
    linker = Linker(
        db.register(_table(db, records.select(INPUT))),
        link_settings(chance),
        log_level=logging.ERROR,
    )
    _train(linker, db, labels, records.height, trained)
    scored = linker.inference.predict(threshold_match_probability=review_from)
    if spark is None:
        found = pl.from_arrow(scored.as_pyarrow_table())  # type: ignore[no-untyped-call]
    else:  # collected only above the review threshold: a small share of the pairs compared
        found = pl.from_pandas(scored.as_pandas_dataframe())  # type: ignore[no-untyped-call]
    assert isinstance(found, pl.DataFrame)
    if found.is_empty():
        return empty, trained
    left, right = pl.col("unique_id_l"), pl.col("unique_id_r")
    return (
        found.select(
            pl.min_horizontal(left, right).alias("left"),
            pl.max_horizontal(left, right).alias("right"),
            pl.col("match_probability").cast(pl.Float64).alias("probability"),
        ).sort("left", "right"),
        trained,
    )


def _table(db: Any, frame: pl.DataFrame) -> Any:
    """``frame`` as the backend takes it: Arrow for DuckDB, a Spark DataFrame for Spark."""
    if isinstance(db, DuckDBAPI):
        return frame.to_arrow()
    spark = db.spark
    if frame.is_empty():
        return spark.createDataFrame(frame.to_pandas())
    return spark.createDataFrame(frame.to_arrow())


def spark_jars() -> list[str]:
    """The jar a Spark session needs for Splink's string similarities (Jaro-Winkler)."""
    from splink.backends.spark import similarity_jar_location

    return [str(similarity_jar_location())]


class _Groups:
    """Union-find with cannot-link: two groups holding a pair judged different never join."""

    def __init__(self, keys: Iterable[str], different: Iterable[Pair]) -> None:
        self.parent = {k: k for k in keys}
        self.apart: dict[str, set[str]] = {}
        for a, b in different:
            if a in self.parent and b in self.parent:
                self.apart.setdefault(a, set()).add(b)
                self.apart.setdefault(b, set()).add(a)

    def find(self, key: str) -> str:
        root = key
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[key] != root:  # path compression
            self.parent[key], key = root, self.parent[key]
        return root

    def join(self, a: str, b: str) -> bool:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return True
        if any(self.find(x) == rb for x in self.apart.get(ra, ())) or any(
            self.find(x) == ra for x in self.apart.get(rb, ())
        ):
            return False
        small, big = sorted((ra, rb), key=lambda r: len(self.apart.get(r, ())))
        self.parent[small] = big
        if small in self.apart:
            self.apart.setdefault(big, set()).update(self.apart.pop(small))
        return True


def clusters(
    keys: Iterable[str],
    pairs: pl.DataFrame,
    *,
    same: Iterable[Pair] = (),
    different: Iterable[Pair] = (),
    threshold: float = THRESHOLD,
) -> pl.DataFrame:
    """``record_key, cluster_id`` for every key: confirmed pairs join first, then links from
    the strongest down to ``threshold``; a join that would put two records judged different in
    one cluster is not made. A cluster's id is its smallest record key (stable across runs
    while that record stays in it)."""
    keys = list(keys)
    groups = _Groups(keys, [pair(*d) for d in different])
    for a, b in same:
        if a in groups.parent and b in groups.parent:
            groups.join(a, b)
    strong = pairs.filter(pl.col("probability") >= threshold).sort(
        "probability", "left", "right", descending=[True, False, False]
    )
    for a, b in strong.select("left", "right").iter_rows():
        groups.join(a, b)
    roots = [groups.find(k) for k in keys]
    frame = pl.DataFrame(
        {"record_key": keys, "root": roots}, schema={"record_key": pl.String, "root": pl.String}
    )
    return frame.with_columns(pl.col("record_key").min().over("root").alias("cluster_id")).select(
        "record_key", "cluster_id"
    )
