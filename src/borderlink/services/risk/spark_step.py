"""What runs on Spark's executors: the scoring of one partition, through ``mapInArrow``.

Each partition holds whole days (the input is repartitioned by ``declared_on``), so each day's
flow is scored by :func:`borderlink.risk.scoring.score_flow`, the very function the single-machine
path calls, with the day's capacity quotas and its random draw seeded as that path seeds it
(``seed + the day's position among the days scored``). The model travels as its saved files in a
broadcast variable and is loaded (hash-checked) once per partition; profiles travel as data and
are compiled there. Nothing here touches the node (only its table definitions, for the column
types): the driver stores what comes back.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import polars as pl
import pyarrow as pa  # type: ignore[import-untyped]  # no stubs: Arrow batches only

from borderlink import risk
from borderlink.risk.scoring import OUTPUT_COLUMNS
from borderlink.services.risk._store import DECLARATION_COLUMNS, ITEM_COLUMNS
from borderlink.store.tables import declarations, goods_items

# What one partition gives back: OUTPUT_COLUMNS plus the day, as a Spark DDL schema.
OUTPUT_SCHEMA = (
    "declared_on date, declaration_id string, model_score double, risk double, "
    "profile_hits array<string>, forced_channel string, channel string, selection string, "
    "reasons string"
)


def model_files(path: Path) -> dict[str, bytes]:
    """A saved model's files by relative path: what the broadcast carries."""
    return {
        p.relative_to(path).as_posix(): p.read_bytes()
        for p in sorted(path.rglob("*"))
        if p.is_file()
    }


def load_model(files: Mapping[str, bytes]) -> risk.RiskModel:
    with tempfile.TemporaryDirectory(prefix="borderlink-model-") as folder:
        for name, content in files.items():
            target = Path(folder) / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
        return risk.load(Path(folder))  # refuses files that do not match the model's sha256


def _output(day: dt.date, scored: pl.DataFrame) -> pa.RecordBatch:
    frame = scored.select(OUTPUT_COLUMNS).with_columns(
        pl.lit(day, dtype=pl.Date).alias("declared_on"),
        pl.col("profile_hits").cast(pl.List(pl.String)),
    )
    table = frame.select("declared_on", *OUTPUT_COLUMNS).to_arrow()
    # Spark's Arrow reader takes plain strings and lists, not Polars' large/view types.
    schema = pa.schema(
        [
            pa.field("declared_on", pa.date32()),
            pa.field("declaration_id", pa.string()),
            pa.field("model_score", pa.float64()),
            pa.field("risk", pa.float64()),
            pa.field("profile_hits", pa.list_(pa.string())),
            pa.field("forced_channel", pa.string()),
            pa.field("channel", pa.string()),
            pa.field("selection", pa.string()),
            pa.field("reasons", pa.string()),
        ]
    )
    return table.cast(schema).combine_chunks().to_batches()[0]


def score_partition(
    batches: Iterator[pa.RecordBatch],
    *,
    model: Any,  # a Spark broadcast of model_files(...)
    profiles: Sequence[risk.Profile],
    policy: risk.CapacityPolicy,
    seeds: Mapping[dt.date, int | None],
    schema: Mapping[str, pl.DataType],
) -> Iterator[pa.RecordBatch]:
    """Score the days of one partition, each as one flow; one batch of declarations per day."""
    parts = [pl.from_arrow(batch) for batch in batches]
    frames = [p for p in parts if isinstance(p, pl.DataFrame) and p.height]
    if not frames:
        return
    items = canonical(pl.concat(frames, how="vertical_relaxed"), schema)
    loaded = load_model(model.value)
    compiled = risk.compile_profiles(list(profiles))
    for (day,), flow in sorted(items.partition_by("declared_on", as_dict=True).items()):
        flow = flow.sort("declaration_id", "item_no")  # the store's order: same draws, same ties
        scored = risk.score_flow(loaded, flow, compiled, policy=policy, seed=seeds.get(day))
        yield _output(day, scored)


def item_schema() -> dict[str, pl.DataType]:
    """The store reader's columns and types (:func:`.._store.read_items`' frame)."""
    out: dict[str, pl.DataType] = {}
    for table, names in ((declarations, DECLARATION_COLUMNS), (goods_items, ITEM_COLUMNS)):
        for name in names:
            kind = table.c[name].type.python_type
            out[name] = {
                float: pl.Float64(),
                int: pl.Int64(),
                bool: pl.Boolean(),
                dt.date: pl.Date(),
            }.get(kind, pl.Utf8())
    return out | {"illicit": pl.Boolean(), "severity": pl.Int64()}


def canonical(frame: pl.DataFrame, schema: Mapping[str, pl.DataType]) -> pl.DataFrame:
    """The frame in the store reader's columns and types (JDBC and Parquet types differ)."""
    return frame.select(
        pl.col(name).cast(dtype, strict=False)
        if name in frame.columns
        else pl.lit(None, dtype).alias(name)
        for name, dtype in schema.items()
    )


__all__ = [
    "OUTPUT_SCHEMA",
    "canonical",
    "item_schema",
    "load_model",
    "model_files",
    "score_partition",
]
