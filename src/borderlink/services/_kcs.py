"""A stand-in reader for the public KCS CSV in canonical columns, used by :mod:`services.risk`
only while ``borderlink.ingest.read_accepted`` is not available. No validation: the file is
well-formed public data; HS codes not in the built-in HS 2022 get the ``hs_older_edition`` flag.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from borderlink.refdata.snapshot import builtin_hs_codes

RENAME = {
    "Declaration ID": "declaration_id",
    "Date": "declared_on",
    "Office ID": "office_id",
    "Process Type": "procedure",
    "Import Type": "import_type",
    "Import Use": "import_use",
    "Payment Type": "payment_type",
    "Mode of Transport": "transport_mode",
    "Declarant ID": "declarant_id",
    "Importer ID": "importer_id",
    "Seller ID": "exporter_id",
    "Courier ID": "carrier_id",
    "HS6 Code": "hs_code",
    "Country of Departure": "departure_country",
    "Country of Origin": "origin_country",
    "Tax Rate": "duty_rate",
    "Tax Type": "duty_type",
    "Country of Origin Indicator": "origin_marking",
    "Net Mass": "net_mass_kg",
    "Item Price": "value",
    "Fraud": "illicit",
    "Critical Fraud": "severity",
}


def read_kcs(path: str | Path) -> pl.DataFrame:
    raw = pl.read_csv(path, infer_schema_length=0).rename(RENAME)
    current = list(builtin_hs_codes())
    return raw.with_columns(
        pl.col("declared_on").str.to_date(),
        pl.col("hs_code").str.zfill(6),
        pl.col("duty_rate").cast(pl.Float64),
        pl.col("net_mass_kg").cast(pl.Float64),
        pl.col("value").cast(pl.Float64),
        pl.col("illicit").cast(pl.Int8).cast(pl.Boolean),
        pl.col("severity").cast(pl.Int16),
        pl.lit(1).alias("item_no"),
        pl.lit("KRW").alias("currency"),
    ).with_columns(
        pl.col("hs_code").alias("hs_code_current"),
        pl.when(pl.col("hs_code").is_in(current))
        .then(pl.lit(""))
        .otherwise(pl.lit("hs_older_edition"))
        .alias("flags"),
    )
