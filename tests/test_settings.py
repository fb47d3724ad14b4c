from pathlib import Path

import pytest
from pydantic import ValidationError

from borderlink.settings import DEVELOPMENT_SECRET, Settings


def test_production_refuses_the_development_secret() -> None:
    with pytest.raises(ValidationError, match="SECRET_KEY"):
        Settings(environment="production", secret_key=DEVELOPMENT_SECRET)


def test_default_database_is_a_sqlite_file_in_the_data_dir(tmp_path: Path) -> None:
    url = Settings(data_dir=tmp_path).database_url
    assert url == f"sqlite:///{tmp_path.resolve() / 'borderlink.db'}"


def test_environment_variables_are_read_with_the_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BORDERLINK_DB", "postgresql+psycopg://u@h/d")
    assert Settings().database_url == "postgresql+psycopg://u@h/d"
