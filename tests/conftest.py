"""Shared fixtures: applications built from test settings, on SQLite and PostgreSQL."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from litestar.testing import TestClient

from lys import Application, load_settings
from tests.services import MARIADB_ADMIN_URL, POSTGRES_ADMIN_URL, require

REPO_ROOT = Path(__file__).resolve().parent.parent
CATALOG = ["apps.catalog"]


def build_settings(**overrides: Any):  # type: ignore[no-untyped-def]
    """Settings from explicit values only: the developer's environment never leaks in.

    Rate limiting is off unless a test asks for it: suites send many requests per app.
    """
    overrides.setdefault("rate_limit_per_minute", 0)
    # Cheap password hashing: tests log in a lot; production keeps the default cost.
    overrides.setdefault("argon2_time_cost", 1)
    overrides.setdefault("argon2_memory_cost", 1024)
    overrides.setdefault("argon2_parallelism", 1)
    return load_settings(None, environ={}, env_file=None, overrides=_upper(overrides))


def _upper(values: dict[str, Any]) -> dict[str, Any]:
    return {key.upper(): value for key, value in values.items()}


def _worker_database(admin_url: str, name: str, dialect: str) -> str:
    engine = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        if dialect == "postgresql":
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
        else:
            connection.execute(sa.text(f"DROP DATABASE IF EXISTS `{name}`"))
            connection.execute(sa.text(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4"))
    engine.dispose()
    return sa.engine.make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def _drop_worker_database(admin_url: str, name: str, dialect: str) -> None:
    engine = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        if dialect == "postgresql":
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        else:
            connection.execute(sa.text(f"DROP DATABASE IF EXISTS `{name}`"))
    engine.dispose()


@pytest.fixture(scope="session")
def postgres_url(worker_id: str) -> Iterator[str]:
    """A database of this test worker's own on the PostgreSQL server."""
    require("PostgreSQL", POSTGRES_ADMIN_URL)
    name = f"lys_test_{worker_id}_{os.getpid()}"
    url = _worker_database(POSTGRES_ADMIN_URL, name, "postgresql")
    yield url
    _drop_worker_database(POSTGRES_ADMIN_URL, name, "postgresql")


@pytest.fixture(scope="session")
def mariadb_url(worker_id: str) -> Iterator[str]:
    require("MariaDB", MARIADB_ADMIN_URL)
    name = f"lys_test_{worker_id}_{os.getpid()}"
    url = _worker_database(MARIADB_ADMIN_URL, name, "mysql")
    yield url
    _drop_worker_database(MARIADB_ADMIN_URL, name, "mysql")


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Every database test runs once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'test.sqlite3'}"
    return request.getfixturevalue("postgres_url")


def reset_database(url: str) -> None:
    """Start from an empty database (PostgreSQL and MariaDB databases are per worker)."""
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(sa.text("DROP SCHEMA public CASCADE"))
            connection.execute(sa.text("CREATE SCHEMA public"))
        elif engine.dialect.name in ("mysql", "mariadb"):
            connection.execute(sa.text("SET FOREIGN_KEY_CHECKS=0"))
            for (table,) in connection.execute(sa.text("SHOW TABLES")).all():
                connection.execute(sa.text(f"DROP TABLE `{table}`"))
            connection.execute(sa.text("SET FOREIGN_KEY_CHECKS=1"))
    engine.dispose()


AppFactory = Callable[..., Application]


@pytest.fixture
def make_app(database_url: str) -> Iterator[AppFactory]:
    """Build applications on this test's database; tables are created unless told not to.

    ``make_app(["apps.catalog", ...], create_tables=True, **settings)``.
    """
    built: list[Application] = []
    reset_database(database_url)

    def factory(
        installed_apps: list[str] | None = None, *, create_tables: bool = True, **settings: Any
    ) -> Application:
        settings.setdefault("database_url", database_url)
        app = Application(build_settings(installed_apps=installed_apps or CATALOG, **settings))
        if create_tables:
            app.registry.metadata.create_all(app.engine)
        built.append(app)
        return app

    yield factory
    for app in built:
        app.dispose()


@pytest.fixture
def catalog_app(make_app: AppFactory) -> Application:
    return make_app(CATALOG)


@pytest.fixture
def client_for() -> Iterator[Callable[[Application], TestClient[Any]]]:
    """An HTTP test client for an application (started and stopped around the test)."""
    clients: list[TestClient[Any]] = []

    def factory(app: Application) -> TestClient[Any]:
        client = TestClient(app.asgi())
        client.__enter__()
        clients.append(client)
        return client

    yield factory
    for client in clients:
        client.__exit__(None, None, None)


def gql(
    client: TestClient[Any], query: str, variables: dict[str, Any] | None = None
) -> dict[str, Any]:
    """POST an operation and return the decoded body."""
    payload: dict[str, Any] = {"query": query}
    if variables is not None:
        payload["variables"] = variables
    response = client.post("/graphql", json=payload)
    return response.json()


class QueryCounter:
    def __init__(self) -> None:
        self.statements: list[str] = []

    def __len__(self) -> int:
        return len(self.statements)


@pytest.fixture
def count_queries() -> Callable[[Application], QueryCounter]:
    """Count the SQL statements an application's engine runs from now on."""

    def attach(app: Application) -> QueryCounter:
        counter = QueryCounter()

        @sa.event.listens_for(app.engine, "before_cursor_execute")
        def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
            counter.statements.append(statement)

        return counter

    return attach
