import ast
from pathlib import Path

import pytest
from pydantic import ValidationError

import borderlink
from borderlink.settings import Settings

SOURCE = Path(borderlink.__file__).parent


def test_production_refuses_the_test_password_hashing() -> None:
    with pytest.raises(ValidationError, match="PASSWORD_HASHING"):
        Settings(environment="production", password_hashing="fast")


def test_there_is_no_unused_secret_key(monkeypatch: pytest.MonkeyPatch) -> None:
    """Nothing signs with a shared secret (see the module docstring): no field promises one."""
    monkeypatch.setenv("BORDERLINK_SECRET_KEY", "anything")
    assert "secret_key" not in Settings.model_fields
    assert Settings(environment="production", cookie_secure=True).environment == "production"


def test_production_refuses_a_cookie_sent_without_tls() -> None:
    with pytest.raises(ValidationError, match="COOKIE_SECURE"):
        Settings(environment="production")


@pytest.mark.parametrize("password", ["", "short", "fifteen-chars!!"])
def test_production_refuses_a_short_database_password(password: str) -> None:
    url = f"postgresql+psycopg://borderlink:{password}@db/borderlink"
    with pytest.raises(ValidationError, match="shorter than 16"):
        Settings(environment="production", cookie_secure=True, db=url)
    Settings(environment="test", db=url)  # only production is strict


def test_production_takes_a_long_password_or_none() -> None:
    for url in (
        "postgresql+psycopg://borderlink:Xq7v-9Lm2_pR4tY8wZ@db/borderlink",
        "postgresql+psycopg://borderlink@db/borderlink",  # peer or certificate authentication
    ):
        assert Settings(environment="production", cookie_secure=True, db=url).db == url


def test_default_database_is_a_sqlite_file_in_the_data_dir(tmp_path: Path) -> None:
    url = Settings(data_dir=tmp_path).database_url
    assert url == f"sqlite:///{tmp_path.resolve() / 'borderlink.db'}"


def test_environment_variables_are_read_with_the_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BORDERLINK_DB", "postgresql+psycopg://u@h/d")
    assert Settings().database_url == "postgresql+psycopg://u@h/d"


def _environment_reads(tree: ast.AST) -> list[int]:
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in ("getenv", "getenvb", "environ"):
            lines.append(node.lineno)
        if isinstance(node, ast.Name) and node.id in ("getenv", "environ"):
            lines.append(node.lineno)
    # Writing a setting for child processes (``os.environ[...] = v``) is not reading one.
    writes = {
        target.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Assign)
        for target in node.targets
        if isinstance(target, ast.Subscript)
    }
    return [line for line in lines if line not in writes]


def test_only_the_settings_module_reads_the_environment() -> None:
    readers = [
        f"{path.relative_to(SOURCE)}:{line}"
        for path in sorted(SOURCE.rglob("*.py"))
        if path.name != "settings.py"
        for line in _environment_reads(ast.parse(path.read_text(), str(path)))
    ]
    assert not readers, f"read os.environ through borderlink.settings instead: {readers}"
