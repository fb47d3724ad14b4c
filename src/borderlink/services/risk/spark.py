"""The batch work on Apache Spark: ``risk score --engine spark`` and ``risk train --engine spark``.

PostgreSQL stays the system of record. Spark reads the declarations to score from it over JDBC
(a node on SQLite exports them to Parquet, a file per day, which Spark reads instead),
repartitions them by day and scores each partition with ``mapInArrow``
(:func:`.spark_step.score_partition`): the same pure frame → frame step as the single-machine
path, :func:`borderlink.risk.scoring.score_flow`, with the saved model broadcast. The driver then
does what needs the node, as :func:`.score.score_batch` does after each flow: partner alerts and
screening hits send red, agency rules route, scores and profile hits are written back (insert
if new, on their natural keys), one transaction per day.

Training reads the labelled declarations the same way and trains on the driver: LightGBM's
training is not split across partitions, but the reading is, and the model is the one
:func:`.models.train` records.

PySpark is the optional extra ``borderlink[spark]``; the session is the process's own
(``BORDERLINK_SPARK_MASTER``, ``local[2]`` by default), started for a command and stopped after.
"""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl
from sqlalchemy import Select, select
from sqlalchemy.engine import make_url

from borderlink import risk
from borderlink.errors import ConfigurationError
from borderlink.services.accounts import audit
from borderlink.services.accounts.access import Permission, Principal, require
from borderlink.services.coordination.routing import RouteSummary, compiled_rules
from borderlink.services.node import Node
from borderlink.services.risk import models, spark_step
from borderlink.services.risk._store import (
    DECLARATION_COLUMNS,
    ITEM_COLUMNS,
    ToScore,
    read_items,
    settled,
    settled_among,
    unscored_days,
)
from borderlink.services.risk.models import ModelInfo, load_model
from borderlink.services.risk.profiles import load_active_profiles
from borderlink.services.risk.score import ScoreSummary, capacity
from borderlink.services.risk.writes import store_flow
from borderlink.services.screening.hits import apply_screening
from borderlink.services.screening.partner_alerts import alerts_in_force, apply_alerts
from borderlink.store.risk_tables import risk_models, scores
from borderlink.store.screening_tables import screening_hits
from borderlink.store.tables import declarations, goods_items, outcomes

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession


@contextmanager
def spark_session(node: Node, master: str | None = None) -> Iterator[SparkSession]:
    """A Spark session for one command (stopped after it), with the PostgreSQL JDBC driver.

    Inside another ``spark_session`` block, that block's session is used (and left running):
    several steps can share one, as a test or a notebook does.
    """
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise ConfigurationError(
            "the Spark engine needs PySpark: pip install 'borderlink[spark]' (and Java 17)"
        ) from None
    active = SparkSession.getActiveSession()
    if active is not None:
        yield active
        return
    settings = node.settings
    master = master or settings.spark_master
    builder = (
        SparkSession.builder.master(master)
        .appName("borderlink")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", str(settings.spark_partitions))
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.driver.memory", settings.spark_driver_memory)
    )
    if master.startswith("local"):
        # In-process: the driver and its executors talk over loopback, never another interface.
        builder = builder.config("spark.driver.host", "127.0.0.1").config(
            "spark.driver.bindAddress", "127.0.0.1"
        )
    # The PostgreSQL driver for JDBC reads, Splink's string similarities for trader linking.
    from borderlink.screening.linking import spark_jars

    jars = [str(settings.spark_jdbc_jar)] if settings.spark_jdbc_jar.is_file() else []
    builder = builder.config("spark.jars", ",".join([*jars, *spark_jars()]))
    spark = builder.getOrCreate()
    # The executors' Python is this one (with borderlink and its dependencies), not "python3".
    spark.sparkContext.pythonExec = sys.executable
    try:
        yield spark
    finally:
        spark.stop()


def _items_query(
    which: ToScore | None, since: dt.date | None, until: dt.date | None, labelled: bool
) -> Select[Any]:
    """The store reader's item-level query (declarations ⋈ goods items, outcomes when known)."""
    cols = [declarations.c[n] for n in DECLARATION_COLUMNS] + [
        goods_items.c[n] for n in ITEM_COLUMNS
    ]
    query = select(*cols, outcomes.c.illicit, outcomes.c.severity).select_from(
        declarations.join(
            goods_items, goods_items.c.declaration_id == declarations.c.declaration_id
        ).outerjoin(outcomes, outcomes.c.declaration_id == declarations.c.declaration_id)
    )
    if since:
        query = query.where(declarations.c.declared_on >= since)
    if until:
        query = query.where(declarations.c.declared_on <= until)
    if labelled:
        query = query.where(outcomes.c.illicit.is_not(None))
    if which is not None:
        done = select(scores.c.declaration_id).where(scores.c.model_version == which.version)
        query = query.where(declarations.c.declaration_id.not_in(done))
        if not which.history:
            query = query.where(declarations.c.declaration_id.not_in(settled()))
            if which.after is not None:
                query = query.where(declarations.c.declared_on > which.after)
    return query


def _jdbc(node: Node) -> tuple[str, dict[str, str]]:
    url = make_url(node.settings.db or "")
    port = f":{url.port}" if url.port else ""
    options = {"user": url.username or "", "driver": "org.postgresql.Driver"}
    if url.password:
        options["password"] = str(url.password)
    return f"jdbc:postgresql://{url.host or 'localhost'}{port}/{url.database}", options


def read_declarations(
    spark: SparkSession,
    node: Node,
    folder: Path,
    *,
    which: ToScore | None = None,
    days: list[dt.date] | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
    labelled: bool = False,
) -> DataFrame:
    """The item rows to work on, as Spark reads them: over JDBC from PostgreSQL, or from the
    Parquet files a SQLite node exports into ``folder`` (a file per day, in bounded memory)."""
    if node.engine.dialect.name == "postgresql":
        query = _items_query(which, since, until, labelled)
        sql = str(query.compile(node.engine, compile_kwargs={"literal_binds": True}))
        url, options = _jdbc(node)
        reader = spark.read.format("jdbc").option("url", url).option("query", sql)
        reader = reader.option("fetchsize", "10000")
        for key, value in options.items():
            reader = reader.option(key, value)
        return reader.load()
    export = folder / "declarations"
    export.mkdir(parents=True, exist_ok=True)
    for n, day in enumerate(days if days is not None else [None]):
        frame = read_items(
            node,
            since=day or since,
            until=day or until,
            to_score=which,
            labelled_only=labelled,
        )
        frame.write_parquet(export / f"part-{n:05d}.parquet")
    return spark.read.parquet(str(export))


def _needs_items(node: Node, alerts: list[Any]) -> bool:
    """Whether the node-side steps after scoring can change anything (else no items are read)."""
    if alerts or compiled_rules(node):
        return True
    with node.read() as conn:
        return conn.execute(select(screening_hits.c.hit_id).limit(1)).first() is not None


def _score_on_spark(
    node: Node,
    model: risk.RiskModel,
    profiles: list[risk.Profile],
    which: ToScore,
    days: list[dt.date],
    *,
    policy: risk.CapacityPolicy,
    seed: int | None,
    master: str | None,
) -> pl.DataFrame:
    """Every day's flow scored on Spark: one row per declaration, with its day."""
    with (
        tempfile.TemporaryDirectory(prefix="borderlink-spark-") as folder,
        spark_session(node, master) as spark,
    ):
        frame = read_declarations(spark, node, Path(folder), which=which, days=days)
        files = spark_step.model_files(_model_path(node, model.version))
        step = partial(
            spark_step.score_partition,
            model=spark.sparkContext.broadcast(files),
            profiles=profiles,
            policy=policy,
            seeds={day: None if seed is None else seed + i for i, day in enumerate(days)},
            schema=spark_step.item_schema(),
        )
        partitions = max(1, min(len(days), node.settings.spark_partitions))
        result = frame.repartition(partitions, "declared_on").mapInArrow(
            step, spark_step.OUTPUT_SCHEMA
        )
        out = pl.from_arrow(result.toArrow())
    assert isinstance(out, pl.DataFrame)
    return out


def score_batch_spark(
    node: Node,
    principal: Principal,
    *,
    since: dt.date | None = None,
    until: dt.date | None = None,
    version: str | None = None,
    policy: risk.CapacityPolicy | None = None,
    seed: int | None = None,
    as_of: dt.date | None = None,
    rescore: bool = False,
    master: str | None = None,
) -> ScoreSummary:
    """:func:`.score.score_batch` with the scoring on Spark: the same declarations, the same
    channels (quotas per day), the same scores and reasons, stored the same way."""
    require(principal, Permission.MODELS_MANAGE)
    model = load_model(node, version)
    policy = policy or capacity(node)
    on = as_of or dt.datetime.now(dt.UTC).date()
    profiles = load_active_profiles(node, on)
    versions = {p.name: p.version for p in profiles}
    rules = compiled_rules(node)
    which = ToScore(model.version, history=rescore, after=model.trained_to)
    days = unscored_days(node, which, since, until)
    alerts = alerts_in_force(node, on)
    needs_items = _needs_items(node, alerts)
    channels: dict[str, int] = {"red": 0, "yellow": 0, "green": 0}
    routed = RouteSummary()
    scored = pl.DataFrame()
    if days:
        scored = _score_on_spark(
            node, model, profiles, which, days, policy=policy, seed=seed, master=master
        )
    for (_day,), out in sorted(scored.partition_by("declared_on", as_dict=True).items()):
        out = out.drop("declared_on").sort("declaration_id")
        items = None
        if needs_items:
            items = read_items(node, declaration_ids=out["declaration_id"].to_list())
            out = apply_screening(node, apply_alerts(out, items, alerts), items)
            if rescore:
                items = _new_only(node, items, model.trained_to)
        routed += store_flow(node, out, items, model.version, versions, rules, principal.username)
        for name, n in out["channel"].value_counts().iter_rows():
            channels[name] = channels.get(name, 0) + n
    summary = ScoreSummary(model.version, scored.height, 0, channels, routed.agencies)
    _audit(node, principal.username, "risk.score", summary.model_version, summary.channels)
    return summary


def _model_path(node: Node, version: str) -> Path:
    """Where the model's files are (recorded when it was trained)."""
    query = select(risk_models.c.path).where(risk_models.c.version == version)
    with node.read() as conn:
        return Path(conn.execute(query).scalar_one())


def _new_only(node: Node, items: pl.DataFrame, after: dt.date | None) -> pl.DataFrame:
    if after is not None:
        items = items.filter(pl.col("declared_on") > after)
    done = settled_among(node, items["declaration_id"].unique().to_list())
    return items.filter(~pl.col("declaration_id").is_in(list(done)))


def _audit(node: Node, actor: str, action: str, version: str, details: dict[str, Any]) -> None:
    with node.transaction() as conn:
        audit.record(
            conn,
            actor=actor,
            action=action,
            object_type="risk_model",
            object_id=version,
            details={"engine": "spark", **details},
        )


def train_spark(
    node: Node,
    principal: Principal,
    *,
    since: dt.date | None = None,
    until: dt.date | None = None,
    config: risk.ModelConfig | None = None,
    master: str | None = None,
) -> ModelInfo:
    """:func:`.models.train` on the labelled declarations as Spark reads them."""
    require(principal, Permission.MODELS_MANAGE)
    with (
        tempfile.TemporaryDirectory(prefix="borderlink-spark-") as folder,
        spark_session(node, master) as spark,
    ):
        frame = read_declarations(
            spark, node, Path(folder), since=since, until=until, labelled=True
        )
        table = frame.toArrow()
    read = pl.from_arrow(table)
    assert isinstance(read, pl.DataFrame)
    rows = spark_step.canonical(read, spark_step.item_schema()).sort(
        "declared_on", "declaration_id", "item_no"
    )
    return models.train(node, principal, since=since, until=until, config=config, frame=rows)


__all__ = ["read_declarations", "score_batch_spark", "spark_session", "train_spark"]
