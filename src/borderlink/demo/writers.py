"""Writing synthetic declarations: the canonical flat CSV and our ``wco-json``, chunk by chunk."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from borderlink.demo.inspections import split_outcomes
from borderlink.demo.sampler import (
    DEFAULT_START,
    HEADER_COLUMNS,
    OUTCOME_COLUMNS,
    PARTY_COLUMNS,
    TRUTH_COLUMNS,
    declarations,
)

# What the files carry: the canonical columns a source can state (not those ingest derives:
# hs_code_current, value_reporting, flags), the outcome, and the party names.
FILE_COLUMNS: tuple[str, ...] = (
    *HEADER_COLUMNS,
    "item_no", "hs_code", "hs_edition", "description", "origin_country", "origin_marking",
    "net_mass_kg", "quantity", "quantity_unit", "value", "currency", "duty_rate", "duty_type",
    "aeo",
    *OUTCOME_COLUMNS,
    "importer_name", "exporter_name", "exporter_country",
)  # fmt: skip

Progress = Callable[[int], None]  # called with the number of goods items just written


@dataclass(frozen=True)
class Written:
    """What a writer produced."""

    path: Path
    items: int
    declarations: int
    illicit_declarations: int


def _count(frame: pl.DataFrame) -> tuple[int, int]:
    decls = frame.select(
        pl.col("declaration_id").n_unique().alias("n"),
        pl.col("declaration_id").filter(pl.col("illicit")).n_unique().alias("bad"),
    ).row(0)
    return int(decls[0]), int(decls[1])


def write_csv(
    path: str | Path,
    n_items: int,
    seed: int = 0,
    *,
    truth: bool = False,
    reporting_currency: str = "USD",
    start: dt.date = DEFAULT_START,
    progress: Progress | None = None,
    flow: Flow | None = None,
) -> Written:
    """Write ``n_items`` goods items (one row each) in the canonical flat CSV layout.

    ``truth`` adds the ground-truth columns (``pattern``, ``true_hs_code``, ...), which the
    ``borderlink`` mapping ignores. Without ``flow`` every row carries the outcome an
    inspection would have; with it, only the inspected history does (see
    :mod:`borderlink.demo.inspections`) and the others' findings go to ``flow.pending``.
    """
    path = Path(path)
    columns = [*FILE_COLUMNS, *(TRUTH_COLUMNS if truth else ())]
    items = decls = bad = 0
    pending: list[pl.DataFrame] = []
    with path.open("wb") as out:
        for chunk in declarations(
            n_items, seed, reporting_currency=reporting_currency, start=start
        ):
            rows = chunk
            if flow is not None:
                rows, waiting = split_outcomes(chunk, seed, flow.since)
                pending.append(waiting)
            rows.select(columns).write_csv(out, include_header=items == 0)
            n, b = _count(rows)
            items, decls, bad = items + chunk.height, decls + n, bad + b
            if progress:
                progress(chunk.height)
        if items == 0:
            out.write((",".join(columns) + "\n").encode())
    if flow is not None:
        found = pl.concat(pending) if pending else pl.DataFrame()
        found.write_csv(flow.pending)
    return Written(path, items, decls, bad)


@dataclass(frozen=True)
class Flow:
    """The latest declarations, still at the border: declared on ``since`` or later. What
    inspecting each declaration not inspected would find is written to ``pending`` (CSV), not
    into the file."""

    since: dt.date
    pending: Path


def nested(frame: pl.DataFrame, *, truth: bool = False) -> pl.DataFrame:
    """Flat goods-item rows → one row per declaration shaped like ``model.Declaration``."""

    def party(role: str, id_col: str, name: str | None, country: str | None) -> pl.Expr:
        return pl.struct(
            pl.col(id_col).alias("id"),
            pl.lit(role).alias("role"),
            (pl.col(name) if name else pl.lit(None, pl.String)).alias("name"),
            (pl.col(country) if country else pl.lit(None, pl.String)).alias("country"),
            (pl.col("importer_aeo") if role == "importer" else pl.lit(None, pl.Boolean)).alias(
                "aeo"
            ),
        )

    item_fields = [
        "item_no", "hs_code", "hs_edition", "description", "origin_country", "origin_marking",
        "net_mass_kg", "quantity", "quantity_unit", "value", "currency", "duty_rate",
        "duty_type", "aeo",
    ]  # fmt: skip
    if truth:
        item_fields += ["pattern", "true_hs_code", "true_origin"]
    # headers from each declaration's first row; items gathered in the same (first-seen) order
    header = [*HEADER_COLUMNS, *OUTCOME_COLUMNS, *PARTY_COLUMNS]
    heads = frame.filter(pl.col("declaration_id").is_first_distinct()).select(
        *header, pl.col("aeo").alias("importer_aeo")
    )
    items = (
        frame.select("declaration_id", pl.struct(item_fields).alias("items"))
        .group_by("declaration_id", maintain_order=True)
        .agg("items")
    )
    grouped = heads.with_columns(items["items"])
    return grouped.select(
        pl.col("declaration_id").alias("id"),
        pl.col("declaration_type").alias("type"),
        pl.col("declared_on").alias("date"),
        pl.col("office_id").alias("office"),
        "procedure",
        "import_type",
        "import_use",
        "payment_type",
        pl.concat_list(
            party("importer", "importer_id", "importer_name", None),
            party("exporter", "exporter_id", "exporter_name", "exporter_country"),
            party("declarant", "declarant_id", "declarant_name", None),
            party("carrier", "carrier_id", None, None),
        ).alias("parties"),
        pl.struct(
            pl.col("transport_mode").alias("mode"),
            "conveyance",
            "departure_country",
            "loading_location",
            "discharge_location",
        ).alias("transport"),
        "items",
        pl.struct(*OUTCOME_COLUMNS).alias("outcome"),
    )


def write_json(
    path: str | Path,
    n_declarations: int,
    seed: int = 0,
    *,
    truth: bool = False,
    reporting_currency: str = "USD",
    start: dt.date = DEFAULT_START,
    progress: Progress | None = None,
) -> Written:
    """Write ``n_declarations`` declarations in ``wco-json``: a JSON array, or JSON Lines when
    the file name ends in ``.jsonl``. Each carries its ``outcome`` (illicit, severity)."""
    path = Path(path)
    lines = path.suffix.lower() in {".jsonl", ".ndjson"}
    items = decls = bad = 0
    with path.open("wb") as out:
        if not lines:
            out.write(b"[")
        for flat in declarations(
            n_declarations=n_declarations,
            seed=seed,
            reporting_currency=reporting_currency,
            start=start,
        ):
            frame = nested(flat, truth=truth)
            buffer = io.BytesIO()
            frame.write_ndjson(buffer)
            body = buffer.getvalue()
            if not lines:
                body = (b",\n" if decls else b"\n") + body.rstrip(b"\n").replace(b"\n", b",\n")
            out.write(body)
            n, b = _count(flat)
            items, decls, bad = items + flat.height, decls + n, bad + b
            if progress:
                progress(flat.height)
        if not lines:
            out.write(b"\n]\n")
    return Written(path, items, decls, bad)
