"""``borderlink risk evaluate`` and ``borderlink profiles`` through the real command line."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from borderlink.cli.app import app
from borderlink.settings import get_settings
from borderlink.store import open_engine, upgrade
from tests.risk import synthetic

runner = CliRunner()


@pytest.fixture
def kcs_files(shared_data: Path, tmp_path: Path) -> tuple[Path, Path, Path]:
    source = shared_data / "customs-declarations"
    train = tmp_path / "train.csv"
    test = tmp_path / "test.csv"
    pl.read_csv(source / "train.csv", infer_schema_length=0).head(4000).write_csv(train)
    pl.read_csv(source / "valid.csv", infer_schema_length=0).head(1000).write_csv(test)
    return train, test, shared_data / "hs" / "hs2017.csv"


def test_evaluate_prints_one_json_object(
    kcs_files: tuple[Path, Path, Path], tmp_path: Path
) -> None:
    train, test, hs2017 = kcs_files
    args = ["risk", "evaluate", "--train", str(train), "--test", str(test), "--mapping", "kcs"]
    db = ["--db", f"sqlite:///{tmp_path / 'node.db'}"]
    result = runner.invoke(app, [*args, "--hs", str(hs2017), *db])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout.strip().splitlines()[-1])
    assert list(out) == ["n_test", "precision_at", "recall_at", "auc", "model"]
    assert out["n_test"] == 1000
    assert list(out["precision_at"]) == ["1", "2", "5", "10"]
    assert 0.5 < out["auc"] <= 1.0
    assert out["model"].startswith("lightgbm")
    # without HS 2017 the older codes are refused: fewer test rows, and a warning says so
    refused = runner.invoke(app, [*args, *db])
    assert refused.exit_code == 0, refused.output
    assert json.loads(refused.stdout.strip().splitlines()[-1])["n_test"] < 1000
    assert "unknown_hs_code" in refused.stderr


def test_profiles_commands(tmp_path: Path) -> None:
    db = ["--db", f"sqlite:///{tmp_path / 'node.db'}"]
    good = tmp_path / "p.yaml"
    good.write_text(
        "- name: cn-electronics\n"
        '  expression: hs.chapter == "85" and origin in ["CN", "VN"]\n'
        "  weight: 0.3\n"
        "  reason: electronics from CN/VN\n"
    )
    result = runner.invoke(app, ["profiles", "add", str(good), *db])
    assert result.exit_code == 0, result.output
    assert "version 1" in result.output
    listed = runner.invoke(app, ["profiles", "list", "--json", *db])
    assert json.loads(listed.stdout)[0]["name"] == "cn-electronics"
    shown = runner.invoke(app, ["profiles", "show", "cn-electronics", *db])
    assert json.loads(shown.stdout)["weight"] == 0.3
    disabled = runner.invoke(app, ["profiles", "disable", "cn-electronics", *db])
    assert "version 2" in disabled.output
    replay = runner.invoke(app, ["profiles", "test", str(good), *db])
    assert json.loads(replay.stdout)["hits"] == 0


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Settings pointing at a temporary data directory (models are written there)."""
    monkeypatch.setenv("BORDERLINK_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def test_train_then_score(data_dir: Path) -> None:
    tmp_path = data_dir
    url = f"sqlite:///{tmp_path / 'node.db'}"
    engine = open_engine(url)
    upgrade(engine)
    history = synthetic.declarations(1200, seed=31, start=dt.date(2020, 1, 1), days=90)
    synthetic.store(engine, history)
    new = synthetic.declarations(200, seed=32, start=dt.date(2020, 5, 1), days=1)
    synthetic.store(engine, new, with_outcomes=False)
    engine.dispose()
    trained = runner.invoke(app, ["risk", "train", "--json", "--db", url])
    assert trained.exit_code == 0, trained.output
    info = json.loads(trained.stdout)
    assert info["version"].startswith("rm-")
    assert info["n_train"] == 1200
    assert Path(info["path"]).parent == tmp_path / "models"
    scored = runner.invoke(
        app,
        ["risk", "score", "--json", "--since", "2020-05-01", "--seed", "1", "--db", url],
    )
    assert scored.exit_code == 0, scored.output
    summary = json.loads(scored.stdout)
    assert summary["model_version"] == info["version"]
    assert summary["channels"] == {"red": 10, "yellow": 20, "green": 170}
