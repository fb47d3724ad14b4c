import dataclasses
import datetime as dt
import random

import polars as pl
import pytest

from borderlink.errors import InvalidInput
from borderlink.refdata import (
    RefData,
    builtin,
    convert,
    convert_frame,
    merge_rates,
    parse_rates,
    rate_on,
    rate_table,
)

RATES = b"""currency,valid_from,rate
KRW,2020-01-01,0.00085
KRW,2020-07-01,0.00080
EUR,2020-01-01,1.10
"""


def refdata_with(data: bytes = RATES, reporting: str = "USD") -> RefData:
    table = rate_table(parse_rates(data, default_quote=reporting), reporting)
    return dataclasses.replace(builtin(reporting), rates=table)


def test_parses_rates_quoted_in_the_reporting_currency_by_default() -> None:
    frame = parse_rates(RATES, default_quote="USD")
    assert frame.rows() == [
        ("EUR", "USD", dt.date(2020, 1, 1), 1.10),
        ("KRW", "USD", dt.date(2020, 1, 1), 0.00085),
        ("KRW", "USD", dt.date(2020, 7, 1), 0.00080),
    ]


def test_the_latest_rate_on_or_before_the_date_applies() -> None:
    refdata = refdata_with()
    assert rate_on("KRW", dt.date(2019, 12, 31), refdata) is None
    assert rate_on("KRW", dt.date(2020, 1, 1), refdata) == 0.00085
    assert rate_on("KRW", dt.date(2020, 6, 30), refdata) == 0.00085
    assert rate_on("KRW", dt.date(2020, 7, 1), refdata) == 0.00080
    assert rate_on("KRW", dt.date(2030, 1, 1), refdata) == 0.00080
    assert rate_on("JPY", dt.date(2020, 7, 1), refdata) is None
    assert rate_on("USD", dt.date(1900, 1, 1), refdata) == 1.0
    assert convert(1_000_000, "KRW", dt.date(2020, 3, 1), refdata) == pytest.approx(850.0)
    assert convert(5.0, "USD", None, refdata) == 5.0
    assert convert(5.0, "EUR", None, refdata) is None
    assert convert(None, "EUR", dt.date(2020, 3, 1), refdata) is None


def test_a_rate_quoted_the_other_way_round_is_inverted() -> None:
    data = b"currency,valid_from,rate,quote_currency\nUSD,2020-01-01,1200,KRW\n"
    refdata = refdata_with(data, reporting="USD")
    assert rate_on("KRW", dt.date(2020, 2, 1), refdata) == pytest.approx(1 / 1200)
    refdata_krw = refdata_with(data, reporting="KRW")
    assert rate_on("USD", dt.date(2020, 2, 1), refdata_krw) == 1200


def test_convert_frame_converts_a_whole_frame_in_order() -> None:
    refdata = refdata_with()
    frame = pl.DataFrame(
        {
            "value": [1_000_000.0, 1_000_000.0, 5.0, 3.0, None, 7.0, 2.0],
            "currency": ["KRW", "KRW", "USD", "EUR", "KRW", None, "JPY"],
            "declared_on": [
                dt.date(2020, 8, 1),
                dt.date(2020, 3, 1),
                None,
                dt.date(2019, 1, 1),
                dt.date(2020, 3, 1),
                dt.date(2020, 3, 1),
                dt.date(2020, 3, 1),
            ],
        }
    )
    out = convert_frame(frame, refdata)
    assert out.columns == [*frame.columns, "value_reporting"]
    assert out.drop("value_reporting").equals(frame)
    assert out["value_reporting"].to_list() == pytest.approx(
        [800.0, 850.0, 5.0, None, None, None, None]
    )


def test_convert_frame_agrees_with_convert_and_takes_text_dates() -> None:
    refdata = refdata_with()
    rng = random.Random(7)
    rows = [
        (
            rng.uniform(1, 1e6),
            rng.choice(["KRW", "EUR", "USD", "GBP"]),
            dt.date(2019, 6, 1) + dt.timedelta(days=rng.randrange(500)),
        )
        for _ in range(500)
    ]
    frame = pl.DataFrame(rows, schema=["amount", "cur", "day"], orient="row")
    out = convert_frame(frame, refdata, value_col="amount", currency_col="cur", date_col="day")
    expected = [convert(v, c, d, refdata) for v, c, d in rows]
    assert out["value_reporting"].to_list() == pytest.approx(expected)
    as_text = frame.with_columns(pl.col("day").cast(pl.String))
    again = convert_frame(as_text, refdata, value_col="amount", currency_col="cur", date_col="day")
    assert again["value_reporting"].to_list() == pytest.approx(expected)


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ("XYZ,2020-01-01,1\n", "currency", "not an ISO 4217"),
        ("KRW,2020-02-30,1\n", "valid_from", "not a date"),
        ("KRW,01/02/2020,1\n", "valid_from", "not a date"),
        ("KRW,2020-01-01,0\n", "rate", "not a positive rate"),
        ("KRW,2020-01-01,-2\n", "rate", "not a positive rate"),
        ("KRW,2020-01-01,abc\n", "rate", "not a number"),
        ("KRW,2020-01-01,\n", "rate", "missing rate"),
        ("USD,2020-01-01,1\n", "quote_currency", "quoted in itself"),
        ("KRW,2020-01-01,0.1\nKRW,2020-01-01,0.2\n", "rate", "a different rate"),
    ],
)
def test_a_bad_rate_names_its_line_and_field(body: str, field: str, words: str) -> None:
    with pytest.raises(InvalidInput, match="line 2") as caught:
        parse_rates(("currency,valid_from,rate\n" + body).encode(), default_quote="USD")
    assert caught.value.field == field
    assert words in caught.value.detail


def test_a_file_without_rates_is_refused() -> None:
    with pytest.raises(InvalidInput, match="no rates"):
        parse_rates(b"currency,valid_from,rate\n", default_quote="USD")


def test_a_repeated_identical_rate_is_kept_once() -> None:
    data = b"currency,valid_from,rate\nkrw,2020-01-01,0.1\nKRW,2020-01-01,0.1\n"
    assert parse_rates(data, default_quote="USD").height == 1


def test_merge_rates_builds_a_snapshot_mapping() -> None:
    merged = merge_rates(
        [("KRW", dt.date(2020, 7, 1), 0.0008), ("KRW", dt.date(2020, 1, 1), 0.00085)]
    )
    assert merged == {"KRW": ((dt.date(2020, 1, 1), 0.00085), (dt.date(2020, 7, 1), 0.0008))}
