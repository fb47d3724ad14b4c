"""Shared fixtures. How to choose:

- ``engine``: a migrated, empty database, run once on SQLite and once on PostgreSQL. Use it for
  anything that touches storage: every storage test must pass on both backends.
- ``sqlite_engine``: SQLite only, for tests about SQLite itself (the default file node).
- ``node``: a :class:`borderlink.services.Node` over ``engine`` with test settings; what service
  tests take.
- ``settings``: test settings pointing at a temporary data directory (no database opened).
- ``write_csv``: writes row dicts (see ``tests.factories.good``) as a small CSV file.
- ``shared_data``: the path of ``../shared/data`` (public test data); tests needing it skip
  when it is absent.

Property-based tests (hypothesis) run under the ``borderlink`` profile registered below: no
deadline (a shared CI machine is slow at times, which is not a failure) and a bounded number of
examples, so the suite stays fast; ``pytest --hypothesis-profile=thorough`` runs ten times as
many.

PostgreSQL is the server at ``BORDERLINK_TEST_POSTGRES_URL`` (default 127.0.0.1:5432, user
postgres). Without it the PostgreSQL half skips with a message, unless
``BORDERLINK_REQUIRE_SERVICES=1`` (set by ``.ci/run``), where it fails.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from borderlink.services import Node
from borderlink.settings import Settings
from borderlink.store import open_engine, upgrade
from borderlink.store.schema import metadata
from tests.factories import csv_writer

hypothesis_settings.register_profile("borderlink", max_examples=100, deadline=None)
hypothesis_settings.register_profile("thorough", max_examples=1_000, deadline=None)
hypothesis_settings.load_profile("borderlink")

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def _base_settings(tmp: Path) -> Settings:
    return Settings(environment="test", data_dir=tmp, auto_migrate=False)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return _base_settings(tmp_path)


@pytest.fixture
def write_csv(tmp_path: Path) -> Callable[..., Path]:
    return csv_writer(tmp_path)


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip(f"public test data not found at {SHARED_DATA}")
    return SHARED_DATA


# --- SQLite: migrate once into a template file, copy it per test -----------------------------


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = open_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    return path


@pytest.fixture
def sqlite_engine(_sqlite_template: Path, tmp_path: Path) -> Iterator[Engine]:
    path = tmp_path / "node.db"
    shutil.copy(_sqlite_template, path)
    engine = open_engine(f"sqlite:///{path}")
    yield engine
    engine.dispose()


# --- PostgreSQL: one fresh database per test session, emptied after each test ----------------


def _services_required() -> bool:
    return Settings().require_services


@pytest.fixture(scope="session")
def _postgres_url() -> Iterator[str]:
    admin_url = Settings().test_postgres_url
    name = f"borderlink_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    try:
        admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as error:  # the server is absent or refuses us: say which
        message = f"PostgreSQL not reachable at {admin_url}: {error.__class__.__name__}: {error}"
        if _services_required():
            pytest.fail(message + " (BORDERLINK_REQUIRE_SERVICES=1)")
        pytest.skip(message)
    url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    engine = open_engine(url)
    upgrade(engine)
    engine.dispose()
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def postgres_engine(_postgres_url: str) -> Iterator[Engine]:
    engine = open_engine(_postgres_url)
    yield engine
    tables = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables)
    with engine.begin() as conn:
        # The audit log refuses TRUNCATE (a trigger): only a superuser, as the tests connect,
        # may set replica mode, in which ordinary triggers do not fire.
        conn.execute(text("SET LOCAL session_replication_role = replica"))
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest) -> Engine:
    name = "sqlite_engine" if request.param == "sqlite" else "postgres_engine"
    return request.getfixturevalue(name)  # type: ignore[no-any-return]


@pytest.fixture
def node(engine: Engine, settings: Settings) -> Node:
    return Node(
        settings=settings.model_copy(update={"db": engine.url.render_as_string(False)}),
        engine=engine,
    )
