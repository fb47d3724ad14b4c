"""``screening compare`` on a file: rows kept with score and match; truth gives F1."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from borderlink.errors import InvalidInput
from borderlink.services.screening.compare import compare_file


def test_rows_come_back_with_score_and_match(tmp_path: Path) -> None:
    path = tmp_path / "pairs.csv"
    path.write_text(
        'name1,name2,label,note\n"ABBAS, Abu",Abu Abbas,1,a\nAcme Ltd,Zenith GmbH,0,b\n',
        encoding="utf-8",
    )
    out = io.StringIO()
    summary = compare_file(path, out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert [(r["note"], r["match"]) for r in rows] == [("a", "true"), ("b", "false")]
    assert float(rows[0]["score"]) == 1.0
    assert summary.quality is not None
    assert summary.quality["f1"] == 1.0


def test_a_file_without_the_name_columns_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "pairs.csv"
    path.write_text("a,b\nx,y\n", encoding="utf-8")
    with pytest.raises(InvalidInput, match="name1, name2"):
        compare_file(path, None)
